import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../app/config.ts';

describe('DingTalk configuration from the environment', () => {
  it('reads client id, secret (also from a file) and endpoint overrides', () => {
    const dir = mkdtempSync(join(tmpdir(), 'firstmate-dt-'));
    writeFileSync(join(dir, 'secret'), 'app-secret\n');
    const { config, problems } = loadConfig({
      env: {
        DINGTALK_CLIENT_ID: 'ding123',
        DINGTALK_CLIENT_SECRET_FILE: join(dir, 'secret'),
        DINGTALK_GATEWAY_URL: 'http://127.0.0.1:9/open',
        DINGTALK_ROBOT_URL: 'http://127.0.0.1:9/robot/send',
      },
    });
    expect(problems).toEqual([]);
    expect(config?.chat.dingtalk).toMatchObject({
      clientId: 'ding123',
      clientSecret: 'app-secret',
      gatewayUrl: 'http://127.0.0.1:9/open',
      robotUrl: 'http://127.0.0.1:9/robot/send',
      enabled: 'auto',
    });
  });

  it('lists a bad gateway URL and a binding without commands at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'firstmate-dt-'));
    const file = join(dir, 'firstmate.yaml');
    writeFileSync(file, 'auth:\n  bindings:\n    - channel: cid-ops\n      allow: []\n');
    const { problems } = loadConfig({ file, env: { DINGTALK_GATEWAY_URL: 'not a url' } });
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(['chat.dingtalk.gatewayUrl', 'auth.bindings[0].allow']));
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../../helpers/alert-hub.ts';
import { runCli } from '../../helpers/cli.ts';

let hub: Hub | undefined;
afterEach(async () => {
  await hub?.stop();
  hub = undefined;
});

describe('firstmate send-test-alert', () => {
  it('posts a sample alert and reports the receiver and message it reached', async () => {
    hub = await startHub({
      alerts: {
        route: { receiver: 'console', group_wait: '100ms', group_interval: '300ms' },
        sources: { tokens: { generic: ['cli-token-123'] } },
      },
    });
    const bad = runCli(['send-test-alert', '--url', hub.url, '--token', 'wrong-token-1', '--timeout', '5']);
    expect((await bad.exited).code).toBe(1);
    expect(bad.stderr()).toContain('401');
    const cli = runCli(['send-test-alert', '--url', hub.url, '--token', 'cli-token-123', '--timeout', '15']);
    const { code } = await cli.exited;
    expect(code, cli.stderr()).toBe(0);
    expect(cli.stdout()).toMatch(/delivered: receiver console → console console \(message [^)]+, incident ref [0-9a-f]{8}\)/);
    expect(hub.sent[0]!.notification.groupLabels.alertname).toBe('FirstmateTestAlert');
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, mustLoadConfig, redact, ConfigError } from '../../../app/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'fm-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('loadConfig', () => {
  it('gives the embedded defaults with no file and no environment', () => {
    const config = mustLoadConfig({ env: {} });
    expect(config.server.port).toBe(8080);
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.chat.console.enabled).toBe('auto');
    expect(config.auth.defaultRole).toBe('viewer');
  });

  it('reads the YAML file and lets the environment override it', () => {
    const path = file('ok.yaml', 'server:\n  port: 9000\n  bodyLimitBytes: 2048\nlog:\n  level: debug\n');
    const config = mustLoadConfig({ env: { PORT: '9100', REDIS_URL: 'redis://db:6380' }, file: path });
    expect(config.server.port).toBe(9100);
    expect(config.server.bodyLimitBytes).toBe(2048);
    expect(config.log.level).toBe('debug');
    expect(config.redis.url).toBe('redis://db:6380');
  });

  it('takes the path of the file from FIRSTMATE_CONFIG', () => {
    const path = file('env-path.yaml', 'redis:\n  prefix: "{other}"\n');
    expect(mustLoadConfig({ env: { FIRSTMATE_CONFIG: path } }).redis.prefix).toBe('{other}');
  });

  it('reads <NAME>_FILE secrets, trimmed', () => {
    const secret = file('redis-url', 'redis://:s3cret@cache:6379\n');
    expect(mustLoadConfig({ env: { REDIS_URL_FILE: secret } }).redis.url).toBe('redis://:s3cret@cache:6379');
  });

  it('refuses both NAME and NAME_FILE, and an unreadable NAME_FILE', () => {
    const { config, problems } = loadConfig({
      env: { REDIS_URL: 'redis://a', REDIS_URL_FILE: '/nonexistent/x', PORT_FILE: '/nonexistent/port' },
    });
    expect(config).toBeUndefined();
    expect(problems.map((p) => p.path).sort()).toEqual(['env.PORT_FILE', 'env.REDIS_URL']);
  });

  it('lists every mistake at once, each with its path', () => {
    const path = file(
      'bad.yaml',
      [
        'server:',
        '  port: 99999',
        'log:',
        '  level: loud',
        'auth:',
        '  users:',
        '    - name: ann',
        '      role: captain',
        '  colour: blue',
        '',
      ].join('\n'),
    );
    const { config, problems } = loadConfig({ env: {}, file: path });
    expect(config).toBeUndefined();
    expect(problems.map((p) => p.path).sort()).toEqual(['auth', 'auth.users[0].role', 'log.level', 'server.port']);
    expect(problems.find((p) => p.path === 'auth')?.message).toMatch(/colour/);
  });

  it('reports YAML syntax errors with a line and a missing file clearly', () => {
    const broken = loadConfig({ env: {}, file: file('broken.yaml', 'server:\n  port: [1,\n') });
    expect(broken.problems[0]?.path).toMatch(/broken\.yaml:\d+/);
    const missing = loadConfig({ env: {}, file: join(dir, 'absent.yaml') });
    expect(missing.problems[0]?.message).toMatch(/cannot read/);
  });

  it('rejects a top level that is not a mapping', () => {
    expect(loadConfig({ env: {}, file: file('list.yaml', '- a\n- b\n') }).problems[0]?.message).toMatch(/mapping/);
  });

  it('throws a ConfigError carrying the problems', () => {
    expect(() => mustLoadConfig({ env: { PORT: 'eighty' } })).toThrow(ConfigError);
  });
});

describe('redact', () => {
  it('hides secrets by key and passwords inside URLs', () => {
    const out = redact({ redis: { url: 'redis://user:pw@host:6379' }, slack: { botToken: 'xoxb-1', signingSecret: 'abc' }, port: 1 });
    expect(out).toEqual({
      redis: { url: 'redis://[redacted]@host:6379' },
      slack: { botToken: '[redacted]', signingSecret: '[redacted]' },
      port: 1,
    });
  });
});

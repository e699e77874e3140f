import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../../app/config-schema.ts';
import { logDestination } from '../../../app/log-destination.ts';
import { createLogger } from '../../../core/logger.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('log destination', () => {
  it('in an interactive console, logs to a file and shows only warnings, one line each', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fm-log-'));
    dirs.push(dir);
    const stderr = capture();
    const config = configSchema.parse({ redis: { dataDir: dir } });
    const destination = logDestination(config, { interactive: true, stderr: stderr.stream });
    const file = path.join(dir, 'firstmate.log');
    expect(destination.notice).toBe(`firstmate: logs go to ${file}; warnings show here`);
    const logger = createLogger('info', destination.stream);
    logger.info({ audit: { command: 'host' } }, 'chat command');
    logger.warn({ err: new Error('connection\nreset') }, 'redis connection error');
    expect(stderr.lines).toEqual(['firstmate warn: redis connection error (connection reset)\n']);
    const logged = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    expect(logged.map((l) => l.msg)).toEqual(['chat command', 'redis connection error']);
  });

  it('keeps JSON on stderr when piped, or when another chat has the terminal to itself', () => {
    const stderr = capture();
    const piped = logDestination(configSchema.parse({}), { interactive: false, stderr: stderr.stream });
    expect(piped.notice).toBeUndefined();
    createLogger('info', piped.stream).info('hello');
    expect(JSON.parse(stderr.lines[0]!)).toMatchObject({ msg: 'hello' });
    const slack = configSchema.parse({ chat: { slack: { botToken: 'xoxb-1', appToken: 'xapp-1' } } });
    expect(logDestination(slack, { interactive: true, stderr: stderr.stream }).notice).toBeUndefined();
  });
});

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pino, type DestinationStream } from 'pino';
import type { Config } from './config-schema.ts';

/** Where the process logs, and the one line to print about it (interactive console only). */
export interface LogDestination {
  stream: DestinationStream;
  notice?: string;
}

/** Whether the console chat runs (`chat.console.enabled`, or `auto` when no other chat is configured). */
export function consoleChatEnabled(config: Config): boolean {
  const dt = config.chat.dingtalk;
  const other =
    Boolean(config.chat.slack.botToken) || dt.enabled === true || (dt.enabled === 'auto' && Boolean(dt.clientId && dt.clientSecret));
  const setting = config.chat.console.enabled;
  return setting === true || (setting === 'auto' && !other);
}

/**
 * A stream that prints each JSON log line as one short line: `firstmate warn: <msg> (<error>)`.
 * Used for the warnings an interactive console still shows.
 */
export function oneLineLog(out: NodeJS.WritableStream): DestinationStream {
  const names: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
  return {
    write(line: string) {
      let entry: { level?: number; msg?: string; err?: { message?: string } | string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        out.write(`${line.trim()}\n`);
        return;
      }
      const err = typeof entry.err === 'string' ? entry.err : entry.err?.message;
      const text = `${entry.msg ?? ''}${err ? ` (${err})` : ''}`.replace(/\s*\n\s*/g, ' ');
      out.write(`firstmate ${names[entry.level ?? 30] ?? 'log'}: ${text}\n`);
    },
  };
}

/**
 * Where logs go. In an interactive terminal with the console chat on, JSON lines between the
 * prompt and the answer make the chat unreadable: every line goes to `log.file` (default
 * `<redis.dataDir>/firstmate.log`, its path printed once) and only warnings and errors reach
 * stderr, one short line each. Otherwise (piped input, other chats, services) JSON on stderr.
 */
export function logDestination(config: Config, opts: { interactive: boolean; stderr: NodeJS.WritableStream }): LogDestination {
  if (!opts.interactive || !consoleChatEnabled(config)) return { stream: opts.stderr as unknown as DestinationStream };
  const file = config.log.file ?? path.join(config.redis.dataDir, 'firstmate.log');
  mkdirSync(path.dirname(file), { recursive: true });
  const stream = pino.multistream([
    { level: 'trace', stream: pino.destination({ dest: file, append: true, sync: true }) },
    { level: 'warn', stream: oneLineLog(opts.stderr) },
  ]);
  return { stream, notice: `firstmate: logs go to ${file}; warnings show here` };
}

import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../core/logger.ts';

/**
 * Bolt's and the Slack SDKs' logger interface on top of our pino logger, so their lines come
 * out as JSON with the rest. Bolt's info chatter is logged at debug; warnings and errors stay.
 */
export function boltLogger(logger: Logger, name = 'slack'): BoltLogger {
  let child = logger.child({ component: name });
  let level = LogLevel.INFO;
  const text = (msg: unknown[]) =>
    msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg: unknown[]) => child.debug(text(msg)),
    info: (...msg: unknown[]) => child.debug(text(msg)),
    warn: (...msg: unknown[]) => child.warn(text(msg)),
    error: (...msg: unknown[]) => {
      const err = msg.find((m) => m instanceof Error);
      if (err) child.error({ err }, text(msg));
      else child.error(text(msg));
    },
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: (n: string) => {
      child = logger.child({ component: n });
    },
  };
}

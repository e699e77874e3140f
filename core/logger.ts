import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Paths pino blanks out in every line, whatever logs them. */
const redactPaths = [
  'req.headers.authorization',
  'req.headers["x-sentry-auth"]',
  'req.headers["sentry-hook-signature"]',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.clientSecret',
  '*.secret',
  '*.password',
];

/** JSON logs with secrets redacted. Pass a destination to capture them (tests, console mode). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { app: 'firstmate' } }, destination);
}

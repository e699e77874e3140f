import { pino, type Logger, type DestinationStream } from 'pino';
import { createRedactor } from './redact.ts';

export type { Logger };

/** Header names and keys pino blanks out wherever they appear (one level of nesting and below). */
const secretKeys = [
  'authorization',
  'cookie',
  'set-cookie',
  'x-sentry-auth',
  'sentry-hook-signature',
  'x-slack-signature',
  'token',
  'tokens',
  'apiTokens',
  'botToken',
  'appToken',
  'signingSecret',
  'clientSecret',
  'secret',
  'password',
  'accessToken',
];

const redactPaths = [
  ...secretKeys.map((k) => `req.headers["${k}"]`),
  ...secretKeys.map((k) => `*.${k}`),
  ...secretKeys.map((k) => `*.*.${k}`),
  ...secretKeys.map((k) => `*.*.*.${k}`),
];

/**
 * JSON logs with secrets redacted: known key names by path, and every finished line scrubbed
 * of credentials in URLs, bearer values, Slack tokens and the given secret values. Pass a
 * destination to capture them (tests, console mode).
 */
export function createLogger(level: string, destination?: DestinationStream, opts: { secrets?: readonly string[] } = {}): Logger {
  const scrub = createRedactor(opts.secrets);
  return pino(
    {
      level,
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: { app: 'firstmate' },
      hooks: { streamWrite: scrub },
    },
    destination,
  );
}

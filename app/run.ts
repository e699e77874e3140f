import type { AppIo } from './app.ts';
import type { BaseDeps } from './base-deps.ts';
import { redact, secretValues } from './config.ts';
import type { Config } from './config-schema.ts';
import type { DepsOptions } from './deps.ts';
import type { HttpServer } from './http-server.ts';
import { logDestination } from './log-destination.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { KubeConfigError } from '../kube/config-error.ts';
import { runProcesses } from './processes.ts';
import { RedisUnavailableError } from './redis.ts';
import { openAccessWarnings } from './security.ts';

/** What the operator must fix: shown as one line, without a stack. */
function operatorMessage(err: unknown): string | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e instanceof RedisUnavailableError || e instanceof KubeConfigError) return e.message;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      const { address, port } = e as NodeJS.ErrnoException & { address?: string; port?: number };
      return `cannot listen on ${address ?? ''}:${port ?? ''} (${code}): set PORT or server.port to a free port`;
    }
  }
  return undefined;
}

/** Ends the process after a failed start: one line for what the operator can fix, else the stack. */
function failStart(err: unknown): never {
  const line = operatorMessage(err);
  process.stderr.write(line ? `firstmate: ${line}\n` : `firstmate: start-up failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
}

/**
 * Runs the process until SIGTERM/SIGINT: builds the deps and the app, starts every component,
 * and on a failed start stops what was started (no private redis-server is left behind).
 * `firstmate start` and `firstmate demo` both end up here; the demo passes its own cluster.
 */
export async function runFirstmate(config: Config, opts: { mode: 'start' | 'demo'; deps?: DepsOptions }): Promise<void> {
  // Console chat owns stdout; logs go to stderr so the two never interleave, and to a file in an
  // interactive terminal (only one-line warnings show there).
  const destination = logDestination(config, { interactive: Boolean(process.stdin.isTTY), stderr: process.stderr });
  if (destination.notice) process.stderr.write(`${destination.notice}\n`);
  const logger = createLogger(config.log.level, destination.stream, { secrets: secretValues(config) });
  await runProcesses(config.server.processes, logger, () => runOne(config, opts, logger));
}

/**
 * The deps of the process's role and how to build its app on them. Each role's modules are loaded
 * by dynamic import, so an `intake` process loads only app/intake.ts and what it needs.
 */
async function createRole(
  config: Config,
  logger: Logger,
  opts: DepsOptions,
  io: AppIo,
): Promise<{ deps: BaseDeps; createApp(): { http: HttpServer } }> {
  if (config.server.role === 'intake') {
    const { createIntakeApp, createIntakeDeps } = await import('./intake.ts');
    const deps = await createIntakeDeps(config, logger);
    return { deps, createApp: () => createIntakeApp(deps) };
  }
  const [{ createDeps }, { createApp }] = await Promise.all([import('./deps.ts'), import('./app.ts')]);
  const deps = await createDeps(config, logger, opts);
  return { deps, createApp: () => createApp(deps, io) };
}

/** One process of `runFirstmate`. */
async function runOne(config: Config, opts: { mode: 'start' | 'demo'; deps?: DepsOptions }, logger: Logger): Promise<void> {
  const io = { input: process.stdin, output: process.stdout, interactive: Boolean(process.stdin.isTTY) };
  let role: Awaited<ReturnType<typeof createRole>>;
  try {
    role = await createRole(config, logger, { consoleWrite: (text) => process.stdout.write(text), ...opts.deps }, io);
  } catch (err) {
    await opts.deps?.cluster?.close().catch(() => {});
    failStart(err);
  }
  const { deps } = role;
  const app = role.createApp();
  let stoppingSince = 0;
  const stop = async (signal: string) => {
    if (stoppingSince) {
      // A signal sent to the whole process group arrives twice at once; only a later one means "now".
      if (Date.now() - stoppingSince < 1000) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stoppingSince = Date.now();
    logger.info({ signal }, 'stopping');
    const hardExit = setTimeout(() => process.exit(1), config.server.shutdownTimeoutMs + 2000);
    hardExit.unref();
    await deps.lifecycle.stop(config.server.shutdownTimeoutMs);
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  try {
    await deps.lifecycle.start();
  } catch (err) {
    await deps.lifecycle.stop(config.server.shutdownTimeoutMs);
    failStart(err);
  }
  logger.info(
    {
      mode: opts.mode,
      role: config.server.role,
      port: app.http.port(),
      redis: deps.redisEndpoint.privateServer ? 'private' : 'external',
      config: redact(config),
    },
    'firstmate started',
  );
  for (const warning of openAccessWarnings(config)) logger.warn(warning.detail, warning.message);
}

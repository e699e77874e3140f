import { Command } from 'commander';
import { sendTestAlert } from '../alerts/send-test-alert.ts';
import { createApp } from './app.ts';
import { loadConfig, redact } from './config.ts';
import type { Config } from './config-schema.ts';
import { KubeConfigError } from '../kube/client.ts';
import { createDeps } from './deps.ts';
import { createLogger } from './logger.ts';
import { RedisUnavailableError } from './redis.ts';
import { BUILTIN_ARTICLES_DIR, formatProblems, lintKnowledge } from '../knowledge/index.ts';

/** The validated configuration, or every problem on stderr and exit 1. */
function configOrExit(file: string | undefined): Config {
  const { config, problems } = loadConfig({ file });
  if (config) return config;
  for (const p of problems) process.stderr.write(`config: ${p.path}: ${p.message}\n`);
  process.exit(1);
}

/** The `firstmate` command line. */
const program = new Command('firstmate').description('ChatOps bot and alerting hub for Kubernetes platform teams');

program
  .command('start', { isDefault: true })
  .description('run firstmate (console chat, webhooks, pipeline, cluster watch)')
  .option('-c, --config <file>', 'YAML configuration file (default: $FIRSTMATE_CONFIG or ./firstmate.yaml)')
  .action(async (opts: { config?: string }) => {
    const config = configOrExit(opts.config);
    // Console chat owns stdout; logs go to stderr so the two never interleave.
    const logger = createLogger(config.log.level, process.stderr);
    let deps;
    try {
      deps = await createDeps(config, logger, { consoleWrite: (text) => process.stdout.write(text) });
    } catch (err) {
      // What the operator must fix gets one clear line; anything else is a bug and keeps its stack.
      if (err instanceof RedisUnavailableError || err instanceof KubeConfigError) {
        process.stderr.write(`firstmate: ${err.message}\n`);
        process.exit(1);
      }
      throw err;
    }
    const app = createApp(deps, { input: process.stdin, output: process.stdout, interactive: Boolean(process.stdin.isTTY) });
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
    await deps.lifecycle.start();
    logger.info({ port: app.http.port(), redis: deps.redisEndpoint.privateServer ? 'private' : 'external', config: redact(config) }, 'firstmate started');
  });

program
  .command('check-config')
  .description('validate the configuration and print every problem; exit 1 on any')
  .option('-c, --config <file>', 'YAML configuration file')
  .action((opts: { config?: string }) => {
    const { config, problems, file } = loadConfig({ file: opts.config });
    if (!config) {
      process.stdout.write(`${file ?? 'configuration'}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
      for (const p of problems) process.stdout.write(`  ${p.path}: ${p.message}\n`);
      process.exit(1);
    }
    process.stdout.write(`${file ?? 'embedded defaults'}: ok\n`);
  });

program
  .command('send-test-alert')
  .description('post a sample alert to a running instance and report where it was delivered')
  .option('--url <url>', 'base URL of the instance', 'http://127.0.0.1:8080')
  .option('--token <token>', 'bearer token for the generic webhook and the alert API')
  .option('--timeout <seconds>', 'how long to wait for the delivery', '90')
  .option('--no-resolve', 'leave the test alert firing')
  .action(async (opts: { url: string; token?: string; timeout: string; resolve: boolean }) => {
    try {
      const deliveries = await sendTestAlert({ url: opts.url, token: opts.token, timeoutMs: Number(opts.timeout) * 1000, resolve: opts.resolve, write: (line) => process.stdout.write(`${line}\n`) });
      process.exit(deliveries.length > 0 ? 0 : 1);
    } catch (err) {
      process.stderr.write(`send-test-alert: ${(err as Error).message}\n`);
      process.exit(1);
    }
  });

const kb = program.command('kb').description('knowledge base tools');
kb
  .command('lint')
  .description('check every article (front matter, ids, links, match rules); exit 1 on any problem')
  .option('-c, --config <file>', 'YAML configuration file (for extra article folders)')
  .action(async (opts: { config?: string }) => {
    const config = configOrExit(opts.config);
    const found = await lintKnowledge([BUILTIN_ARTICLES_DIR, ...config.knowledge.dirs]);
    process.stdout.write(found.length > 0 ? `${formatProblems(found)}\n` : 'knowledge base: ok\n');
    process.exit(found.length > 0 ? 1 : 0);
  });

await program.parseAsync();

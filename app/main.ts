import { Command } from 'commander';
import { sendTestAlert } from '../alerts/send-test-alert.ts';
import { loadConfig } from './config.ts';
import { z } from 'zod';
import { roleSchema, type Config } from './config-schema.ts';
import { runFirstmate } from './run.ts';

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
  .command('start')
  .description('run firstmate in production: Redis at REDIS_URL, the cluster from KUBECONFIG or in-cluster (or kube.mode: off)')
  .option('-c, --config <file>', 'YAML configuration file (default: $FIRSTMATE_CONFIG or ./firstmate.yaml)')
  .option('--role <role>', 'what this process runs: all, intake (webhooks only) or worker (everything but the webhooks)')
  .option('--processes <n>', 'intake processes sharing the port (role intake only)')
  .action(async (opts: { config?: string; role?: string; processes?: string }) => {
    const config = configOrExit(opts.config);
    const role = roleSchema.safeParse(opts.role ?? config.server.role);
    const processes = z.coerce
      .number()
      .int()
      .min(1)
      .max(64)
      .safeParse(opts.processes ?? config.server.processes);
    if (!role.success || !processes.success || (processes.data > 1 && role.data !== 'intake')) {
      process.stderr.write('firstmate: --role is all, intake or worker; --processes is 1 to 64, more than 1 only with --role intake\n');
      process.exit(2);
    }
    await runFirstmate({ ...config, server: { ...config.server, role: role.data, processes: processes.data } }, { mode: 'start' });
  });

program
  .command('demo')
  .description('the embedded demo: console chat, a private Redis when none answers, the simulated cluster, HTTP on loopback')
  .option('-c, --config <file>', 'YAML configuration file (default: $FIRSTMATE_CONFIG or ./firstmate.yaml)')
  .action(async (opts: { config?: string }) => {
    const config = configOrExit(opts.config);
    const { runDemo } = await import('./demo.ts');
    await runDemo(config);
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
      const deliveries = await sendTestAlert({
        url: opts.url,
        token: opts.token,
        timeoutMs: Number(opts.timeout) * 1000,
        resolve: opts.resolve,
        write: (line) => process.stdout.write(`${line}\n`),
      });
      process.exit(deliveries.length > 0 ? 0 : 1);
    } catch (err) {
      process.stderr.write(`send-test-alert: ${(err as Error).message}\n`);
      process.exit(1);
    }
  });

const kb = program.command('kb').description('knowledge base tools');
kb.command('lint')
  .description('check every article (front matter, ids, links, match rules); exit 1 on any problem')
  .option('-c, --config <file>', 'YAML configuration file (for extra article folders)')
  .action(async (opts: { config?: string }) => {
    const config = configOrExit(opts.config);
    const [{ BUILTIN_ARTICLES_DIR, formatProblems, lintKnowledge }, { handlers }] = await Promise.all([
      import('../knowledge/index.ts'),
      import('../handlers/index.ts'),
    ]);
    const found = await lintKnowledge([BUILTIN_ARTICLES_DIR, ...config.knowledge.dirs], { commands: handlers.map((h) => h.name) });
    process.stdout.write(found.length > 0 ? `${formatProblems(found)}\n` : 'knowledge base: ok\n');
    process.exit(found.length > 0 ? 1 : 0);
  });

await program.parseAsync();

/**
 * A separate process running only the Kubernetes core and the operations runner, for tests that
 * kill it outright. Settings come as JSON in FM_OPS: `{ url, redisUrl, prefix, ops }`.
 */
import { Redis } from 'ioredis';
import { buildKubeConfig } from '../../kube/client.ts';
import { createKube } from '../../kube/runtime.ts';
import { opsConfigSchema } from '../../ops/config-schema.ts';
import { createOps } from '../../ops/index.ts';

const env = JSON.parse(process.env.FM_OPS ?? '{}') as { url: string; redisUrl: string; prefix: string; ops: unknown };
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const kubeConfig = buildKubeConfig({ url: env.url });
const redis = new Redis(env.redisUrl);
const kube = createKube({
  kubeConfig,
  redis,
  sink: { emit: async () => undefined },
  logger: silent,
  options: { redisPrefix: `${env.prefix}:kube:`, leaderElection: { enabled: false }, workers: 1 },
});
const ops = createOps({
  settings: opsConfigSchema.parse(env.ops),
  protectedNamespaces: ['kube-system'],
  redis,
  prefix: `${env.prefix}:`,
  kubeConfig,
  kube,
  observer: { transition: () => undefined, finished: () => undefined },
  logger: silent,
});
await kube.start();
await ops.runner.start();
process.stdout.write('ready\n');

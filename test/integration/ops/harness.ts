/**
 * The whole product on a simulated cluster: real Deps (Redis under a fresh prefix, the
 * Kubernetes core, the ops runner), the real router with every handler, users with roles and
 * namespaces, and the results the runner posts back to the console channel.
 */
import { createApp } from '../../../app/app.ts';
import { configSchema } from '../../../app/config-schema.ts';
import type { ConfigInput } from '../../../app/config-schema.ts';
import { createDeps } from '../../../app/deps.ts';
import type { Deps } from '../../../app/deps.ts';
import { deletePrefix } from '../../../app/redis.ts';
import { createLogger } from '../../../core/logger.ts';
import type { Reply } from '../../../core/reply.ts';
import { buildKubeConfig } from '../../../kube/client.ts';
import type { Operation } from '../../../ops/index.ts';
import { renderText } from '../../../platforms/console/render-text.ts';
import type { ClusterSpec } from '../../../sim/cluster-builders.ts';
import { startSim } from '../../../sim/sim.ts';
import type { Sim, SimOptions } from '../../../sim/sim.ts';
import { testPrefix } from '../../helpers/deps.ts';
import { waitFor } from '../../helpers/wait.ts';
import { opsCluster } from './cluster.ts';

export const USERS: NonNullable<NonNullable<ConfigInput['auth']>['users']> = [
  { name: 'alice', role: 'operator', console: ['alice'] },
  { name: 'bob', role: 'operator', console: ['bob'] },
  { name: 'carol', role: 'admin', console: ['carol'] },
  { name: 'vic', role: 'viewer', console: ['vic'] },
  { name: 'wes', role: 'operator', namespaces: ['web'], console: ['wes'] },
];

/** Fast settings: operations advance every 30 ms, short deadlines. */
export const fastOps = {
  tickMs: 30,
  leaseMs: 1500,
  evictRetryMs: 50,
  verifyTimeoutSeconds: 20,
  drainDeadlineSeconds: 20,
};

export interface OpsHarness {
  sim: Sim;
  deps: Deps;
  /** Results the runner posted to the console channel. */
  posted: string[];
  /** Runs one chat line as `user` on the console; returns the rendered text and the reply. */
  say(user: string, line: string): Promise<{ text: string; reply: Reply }>;
  /** The confirmation code in a plan reply. */
  codeOf(text: string): string;
  idOf(text: string): string;
  op(id: string): Promise<Operation>;
  /** Waits until the operation is final. */
  final(id: string, timeoutMs?: number): Promise<Operation>;
  /** Starts another replica on the same Redis prefix and cluster (stopped by `close`). */
  replica(): Promise<Deps>;
  close(): Promise<void>;
}

export async function startOpsHarness(
  input: { ops?: ConfigInput['ops']; sim?: SimOptions; cluster?: ClusterSpec; kube?: ConfigInput['kube'] } = {},
): Promise<OpsHarness> {
  const sim = await startSim({ cluster: input.cluster ?? opsCluster(), ...input.sim });
  const config = configSchema.parse({
    server: { port: 0, host: '127.0.0.1' },
    log: { level: 'silent' },
    redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: testPrefix('ops'), embedded: false },
    kube: { mode: 'url', url: sim.url, cluster: 'test', leaderElection: { enabled: false }, workers: 2, ...input.kube },
    auth: { users: USERS, consoleRole: 'viewer', rateLimit: { limit: 0 } },
    chat: { console: { enabled: false } },
    ops: { ...fastOps, ...input.ops },
  } satisfies ConfigInput);
  const build = () =>
    createDeps(config, createLogger('silent'), {
      cluster: { kubeConfig: buildKubeConfig({ url: sim.url }), origin: 'url', close: async () => undefined },
    });
  const deps = await build();
  const replicas: Deps[] = [];
  const { router } = createApp(deps);
  if (!router) throw new Error('the test process serves chat');
  const posted: string[] = [];
  deps.opsPosts.register('console', async (_channel, reply) => {
    posted.push(renderText(reply));
  });
  await deps.lifecycle.start();
  await deps.kube!.waitForSync();
  const ops = deps.ops!;
  return {
    sim,
    deps,
    posted,
    async say(user, line) {
      const reply = await router.handle({ platform: 'console', userId: user, displayName: user, channelId: 'console' }, line);
      return { text: renderText(reply), reply };
    },
    codeOf(text) {
      const m = /confirm ([A-Z2-9]{6})/.exec(text);
      if (!m) throw new Error(`no confirmation code in:\n${text}`);
      return m[1]!;
    },
    idOf(text) {
      const m = /(op-[0-9a-f]{6})/.exec(text);
      if (!m) throw new Error(`no operation id in:\n${text}`);
      return m[1]!;
    },
    async op(id) {
      const op = await ops.store.get(id);
      if (!op) throw new Error(`no operation ${id}`);
      return op;
    },
    final: (id, timeoutMs = 20_000) =>
      waitFor(
        async () => {
          const op = await ops.store.get(id);
          return op && ['succeeded', 'failed', 'cancelled', 'expired'].includes(op.status) ? op : undefined;
        },
        `operation ${id} to finish`,
        timeoutMs,
      ),
    async replica() {
      const more = await build();
      replicas.push(more);
      await more.lifecycle.start();
      await more.kube!.waitForSync();
      return more;
    },
    async close() {
      await Promise.all(replicas.map((r) => r.lifecycle.stop(5000)));
      await deps.lifecycle.stop(5000);
      await sim.close();
      await deletePrefix(deps.redisEndpoint.url, config.redis.prefix);
    },
  };
}

/**
 * Crash safety: the executor runs in a child process that is killed (SIGKILL) right as each
 * step's write reaches the API server; a new process resumes the operation from Redis and
 * finishes it, and every write happened exactly once.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix } from '../../../app/redis.ts';
import { opsConfigSchema } from '../../../ops/config-schema.ts';
import { createKube } from '../../../kube/runtime.ts';
import type { KubeRuntime } from '../../../kube/runtime.ts';
import { createOps } from '../../../ops/index.ts';
import type { Actor, Ops } from '../../../ops/index.ts';
import { startSim } from '../../../sim/sim.ts';
import type { Sim } from '../../../sim/sim.ts';
import type { KubeObject, StoreEvent } from '../../../sim/types.ts';
import { waitFor } from '../../helpers/wait.ts';
import { opsCluster } from './cluster.ts';
import { fastOps } from './harness.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `{fm-ops-crash-${randomUUID().slice(0, 8)}}`;
const alice: Actor = { id: 'alice', name: 'alice', role: 'operator', namespaces: ['*'] };
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const settings = { ...fastOps, leaseMs: 800 };

let sim: Sim;
let redis: Redis;
let kube: KubeRuntime;
let ops: Ops;
const children: ChildProcess[] = [];

const workerPath = fileURLToPath(new URL('../../helpers/ops-worker.ts', import.meta.url));

/**
 * A process with the Kubernetes core and the ops runner (`ops-worker.ts`); returned at once
 * (it may act before it says `ready`, and must be killable from its very first write).
 */
function worker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', workerPath], {
    env: { ...process.env, FM_OPS: JSON.stringify({ url: sim.url, redisUrl, prefix, ops: settings }) },
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

beforeAll(async () => {
  sim = await startSim({ cluster: opsCluster() });
  const kc = new KubeConfig();
  kc.loadFromOptions(sim.kubeConfig());
  redis = new Redis(redisUrl);
  kube = createKube({
    kubeConfig: kc,
    redis,
    sink: { emit: async () => undefined },
    logger: silent,
    options: { redisPrefix: `${prefix}:kube:`, leaderElection: { enabled: false } },
  });
  await kube.start();
  await kube.waitForSync();
  // This process plans and confirms; only the child processes execute (its runner never starts).
  ops = createOps({
    settings: opsConfigSchema.parse(settings),
    protectedNamespaces: ['kube-system'],
    redis,
    prefix: `${prefix}:`,
    kubeConfig: kc,
    kube,
    observer: { transition: () => undefined, finished: () => undefined },
    logger: silent,
  });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await kube.stop();
  await sim.close();
  await redis.quit();
  await deletePrefix(redisUrl, prefix);
});

/**
 * Runs a confirmed operation through one worker per write: each worker is killed the moment
 * its write is seen by the API server, the last one finishes.
 */
async function runWithCrashes(id: string, isWrite: (e: StoreEvent) => string | undefined, writes: number): Promise<string[]> {
  const seen: string[] = [];
  let current: ChildProcess | undefined;
  let killedAt = 0;
  const unsubscribe = sim.store.subscribe((e) => {
    const w = isWrite(e);
    if (!w) return;
    seen.push(w);
    if (current && killedAt < writes) {
      current.kill('SIGKILL');
      current = undefined;
      killedAt++;
    }
  });
  try {
    for (let i = 0; i <= writes; i++) {
      const target = killedAt + 1;
      current = worker();
      if (i < writes) await waitFor(() => killedAt >= target || undefined, `write ${target} and the kill`, 30_000);
    }
    const op = await waitFor(
      async () => {
        const o = await ops.store.get(id);
        return o && ['succeeded', 'failed'].includes(o.status) ? o : undefined;
      },
      'the operation to finish in the last worker',
      30_000,
    );
    expect(op.status, op.result).toBe('succeeded');
    for (let s = 1; s <= op.steps.length; s++) expect(op.history.filter((t) => t.event === `step ${s} done`)).toHaveLength(1);
  } finally {
    unsubscribe();
    current?.kill('SIGKILL');
  }
  return seen;
}

const name = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;

describe('a killed executor resumes without repeating a step', () => {
  it('OpenKruise delete-pod: annotate, reserve+scale, verify — killed after each write', { timeout: 120_000 }, async () => {
    const op = await ops.service.plan({
      kind: 'delete-pod',
      query: 'data/kafka-1',
      actor: alice,
      origin: { platform: 'console', channelId: 'c' },
    });
    await ops.service.confirm(op.code, alice);
    const seen = await runWithCrashes(
      op.id,
      (e) => {
        if (e.resource === 'pods' && e.type === 'MODIFIED' && name(e.object) === 'data/kafka-1') {
          const had = e.old?.metadata.annotations?.['firstmate.io/operation'];
          if (!had && e.object.metadata.annotations?.['firstmate.io/operation']) return 'annotate';
        }
        if (
          e.resource === 'statefulsets.apps.kruise.io' &&
          e.type === 'MODIFIED' &&
          (e.old?.spec as { replicas?: number })?.replicas !== (e.object.spec as { replicas?: number }).replicas
        )
          return `scale ${String((e.object.spec as { replicas?: number }).replicas)}`;
        return undefined;
      },
      2,
    );
    expect(seen).toEqual(['annotate', 'scale 2']);
    const sts = sim.store.get('statefulsets.apps.kruise.io', 'data', 'kafka')!;
    expect(sts.spec).toMatchObject({ replicas: 2, reserveOrdinals: [1] });
    expect(sim.store.get('pods', 'data', 'kafka-1')).toBeUndefined();
  });

  it(
    'recreate-pod: annotate, delete, verify — killed after each write; the pod is deleted once and comes back',
    { timeout: 120_000 },
    async () => {
      const before = sim.store.get('pods', 'shop', 'db-1')!.metadata.uid;
      const op = await ops.service.plan({
        kind: 'recreate-pod',
        query: 'shop/db-1',
        actor: alice,
        origin: { platform: 'console', channelId: 'c' },
      });
      await ops.service.confirm(op.code, alice);
      const seen = await runWithCrashes(
        op.id,
        (e) => {
          if (e.resource !== 'pods' || name(e.object) !== 'shop/db-1') return undefined;
          if (
            e.type === 'MODIFIED' &&
            !e.old?.metadata.annotations?.['firstmate.io/operation'] &&
            e.object.metadata.annotations?.['firstmate.io/operation'] &&
            e.object.metadata.uid === before
          )
            return 'annotate';
          if (e.type === 'DELETED' && e.object.metadata.uid === before) return 'delete';
          return undefined;
        },
        2,
      );
      expect(seen).toEqual(['annotate', 'delete']);
      expect(sim.store.get('pods', 'shop', 'db-1')!.metadata.uid).not.toBe(before);
    },
  );
});

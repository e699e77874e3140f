/**
 * Crash safety: the executor runs in a child process that is killed (SIGKILL) right as each
 * step's write reaches the API server; a new process resumes the operation from Redis and
 * finishes it, and every write happened exactly once. The apps/v1 label protocol has the most
 * steps (pod label, StatefulSet label + scale, pod delete, StatefulSet unlabel, verify).
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
const settings = { ...fastOps, leaseMs: 800, statefulsetLabelProtocol: true };

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
  sim = await startSim({ cluster: opsCluster(), statefulsetLabelProtocol: true });
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
  it(
    'apps/v1 label protocol: label pod, label+scale, delete, unlabel, verify — killed after each write',
    { timeout: 150_000 },
    async () => {
      const uid = sim.store.get('pods', 'shop', 'db-0')!.metadata.uid;
      const others = ['db-1', 'db-2'].map((n) => sim.store.get('pods', 'shop', n)!.metadata.uid);
      const op = await ops.service.plan({
        kind: 'delete-pod',
        query: 'shop/db-0',
        actor: alice,
        origin: { platform: 'console', channelId: 'c' },
      });
      expect(op.strategy).toContain('label protocol');
      await ops.service.confirm(op.code, alice);
      const seen = await runWithCrashes(
        op.id,
        (e) => {
          const before = e.old;
          if (e.resource === 'pods' && name(e.object) === 'shop/db-0' && e.object.metadata.uid === uid && e.type === 'MODIFIED') {
            if (before?.metadata.labels?.db !== 'deleted' && e.object.metadata.labels?.db === 'deleted') return 'label pod';
            if (!before?.metadata.deletionTimestamp && e.object.metadata.deletionTimestamp) return 'delete pod';
          }
          if (e.resource === 'statefulsets' && name(e.object) === 'shop/db' && e.type === 'MODIFIED') {
            const was = (before?.spec as { replicas?: number } | undefined)?.replicas;
            const now = (e.object.spec as { replicas?: number } | undefined)?.replicas;
            if (was !== now) return `scale ${String(now)}${e.object.metadata.labels?.db === 'deleted' ? ' with label' : ''}`;
            if (before?.metadata.labels?.db === 'deleted' && e.object.metadata.labels?.db === undefined) return 'unlabel';
          }
          return undefined;
        },
        4,
      );
      expect(seen).toEqual(['label pod', 'scale 2 with label', 'delete pod', 'unlabel']);
      const sts = sim.store.get('statefulsets', 'shop', 'db')!;
      expect((sts.spec as { replicas: number }).replicas).toBe(2);
      expect(sts.metadata.labels?.db).toBeUndefined();
      expect(sim.store.get('pods', 'shop', 'db-0')).toBeUndefined();
      expect(['db-1', 'db-2'].map((n) => sim.store.get('pods', 'shop', n)?.metadata.uid)).toEqual(others);
    },
  );
});

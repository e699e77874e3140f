/**
 * Test harness for the Kubernetes core: a small simulated cluster (4 nodes, a StatefulSet with
 * an owner annotation, a Deployment), a real client, real Redis under a fresh prefix, and a
 * sink that records what the reconcilers emit.
 */
import { randomUUID } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import type { Alert, AlertSink } from '../../../alerts/model.ts';
import { deletePrefix } from '../../../app/redis.ts';
import { createKube } from '../../../kube/runtime.ts';
import type { KubeRuntime, KubeRuntimeOptions } from '../../../kube/runtime.ts';
import type { ClusterSpec } from '../../../sim/cluster-builders.ts';
import { buildDeployment, buildNamespace, buildStatefulSet, isoAgo } from '../../../sim/cluster-builders.ts';
import type { Sim, SimOptions } from '../../../sim/sim.ts';
import type { KubeObject } from '../../../sim/types.ts';
import { startTestSim, testNodes } from '../sim/sim-fixture.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export class RecordingSink implements AlertSink {
  readonly alerts: Alert[] = [];
  failing = false;
  async emit(alerts: Alert[]): Promise<void> {
    if (this.failing) throw new Error('sink down');
    this.alerts.push(...alerts);
  }
  named(name: string): Alert[] {
    return this.alerts.filter((a) => a.labels.alertname === name);
  }
  /** The alerts with this name once there is at least one (for `waitFor`). */
  some(name: string): Alert[] | undefined {
    const found = this.named(name);
    return found.length ? found : undefined;
  }
}

import { sleep } from '../../helpers/wait.ts';

export { sleep, waitFor } from '../../helpers/wait.ts';

export function smallCluster(nodeCount = 4): KubeObject[] {
  const now = Date.now();
  const created = isoAgo(now, 86_400_000 * 3);
  const objects: KubeObject[] = [
    buildNamespace('default', created),
    buildNamespace('shop', created),
    buildNamespace('web', created),
    ...testNodes(nodeCount, now, created, (i) => ({
      zone: `zone-${(i % 2) + 1}`,
      diskType: i % 2 ? 'ssd' : 'hdd',
      kernelVersion: '5.15.0-101-generic',
    })),
  ];
  objects.push(
    buildStatefulSet('statefulsets', {
      namespace: 'shop',
      name: 'db',
      replicas: 3,
      image: 'postgres:16',
      cpu: '500m',
      memory: '1Gi',
      memoryLimit: '2Gi',
      createdAt: created,
      owner: 'team-db',
      channel: '#db-oncall',
    }),
  );
  objects.push(
    buildDeployment({
      namespace: 'web',
      name: 'front',
      replicas: 2,
      image: 'nginx:1.27',
      cpu: '250m',
      memory: '256Mi',
      createdAt: created,
      owner: 'team-web',
    }),
  );
  return objects;
}

export interface Harness {
  sim: Sim;
  kc: KubeConfig;
  redis: Redis;
  prefix: string;
  sink: RecordingSink;
  runtimes: KubeRuntime[];
  startKube(options?: KubeRuntimeOptions, sink?: AlertSink): Promise<KubeRuntime>;
  close(): Promise<void>;
}

/** Fast settings for tests: short lease, quick retries, storm guard on. */
export const fastOptions = (prefix: string): KubeRuntimeOptions => ({
  cluster: 'test',
  redisPrefix: prefix,
  workers: 2,
  informerBackoff: { baseMs: 50, maxMs: 400 },
  retryBackoff: { baseMs: 20, maxMs: 500 },
  leaderElection: { enabled: false },
  resyncIntervalMs: 0,
  storm: { settleMs: 300 },
});

export async function startHarness(simOptions: SimOptions = {}, cluster: ClusterSpec = { objects: smallCluster() }): Promise<Harness> {
  const { sim, kc } = await startTestSim(simOptions, cluster);
  const redis = new Redis(redisUrl);
  const prefix = `test:kube:${randomUUID()}:`;
  const sink = new RecordingSink();
  const runtimes: KubeRuntime[] = [];
  return {
    sim,
    kc,
    redis,
    prefix,
    sink,
    runtimes,
    async startKube(options, s) {
      const fast = fastOptions(prefix);
      const merged = { ...fast, ...options, storm: { ...fast.storm, ...options?.storm } };
      const kube = createKube({ kubeConfig: kc, redis, sink: s ?? sink, logger: silent, options: merged });
      runtimes.push(kube);
      await kube.start();
      await kube.waitForSync();
      return kube;
    },
    async close() {
      await Promise.all(runtimes.map((r) => r.stop()));
      await sim.close();
      await deletePrefix(redisUrl, prefix);
      await redis.quit();
    },
  };
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Waits until every controller of a leader has nothing queued (keys are processed). */
export async function idle(kube: KubeRuntime, ms = 150): Promise<void> {
  let last = JSON.stringify(kube.reconciled());
  for (;;) {
    await sleep(ms);
    const now = JSON.stringify(kube.reconciled());
    if (now === last) return;
    last = now;
  }
}

import { afterEach, describe, expect, it } from 'vitest';
import { LeaderElector } from '../../../kube/leader.ts';
import { idle, sleep, startHarness, waitFor } from './harness.ts';
import type { Harness } from './harness.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

interface LeaseSpec {
  holderIdentity?: string;
  leaseTransitions?: number;
}

const lease_ = (h: Harness) => h.sim.store.get('leases.coordination.k8s.io', 'default', 'test-lease') as unknown as { spec: LeaseSpec };

describe('leader election on a Lease', () => {
  let h: Harness;
  const electors: LeaderElector[] = [];
  afterEach(async () => {
    await Promise.all(electors.splice(0).map((e) => e.stop()));
    await h?.close();
  });

  const elector = (identity: string, log: string[]) => {
    const e = new LeaderElector({
      kubeConfig: h.kc,
      namespace: 'default',
      name: 'test-lease',
      identity,
      logger: silent,
      leaseDurationMs: 1000,
      renewDeadlineMs: 700,
      retryPeriodMs: 100,
      onStartedLeading: () => void log.push(`${identity}+`),
      onStoppedLeading: () => void log.push(`${identity}-`),
    });
    electors.push(e);
    return e;
  };

  it('only one of two candidates leads; on release the other takes over at once', async () => {
    h = await startHarness();
    const log: string[] = [];
    const a = elector('a', log);
    const b = elector('b', log);
    a.start();
    b.start();
    await waitFor(() => a.isLeader() || b.isLeader(), 'a leader');
    for (let i = 0; i < 15; i++) {
      expect(Number(a.isLeader()) + Number(b.isLeader())).toBe(1);
      await sleep(40);
    }
    const [leader, other] = a.isLeader() ? [a, b] : [b, a];
    const lease = lease_(h);
    expect(lease.spec.holderIdentity).toBe(leader.identity);
    const t0 = Date.now();
    await leader.stop();
    expect(lease_(h).spec.holderIdentity || '').not.toBe(leader.identity);
    await waitFor(() => other.isLeader(), 'takeover');
    expect(Date.now() - t0).toBeLessThan(900);
    expect(log).toEqual([`${leader.identity}+`, `${leader.identity}-`, `${other.identity}+`]);
  });

  it('takes over a lease whose holder stopped renewing, only after it expired', async () => {
    h = await startHarness();
    const now = new Date()
      .toISOString()
      .replace('Z', '000Z')
      .replace(/\.(\d{3})000Z$/, '.$1000Z');
    h.sim.store.create('leases.coordination.k8s.io', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'test-lease', namespace: 'default' },
      spec: { holderIdentity: 'crashed', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: 3 },
    });
    const log: string[] = [];
    const b = elector('b', log);
    const t0 = Date.now();
    b.start();
    await sleep(500);
    expect(b.isLeader()).toBe(false);
    await waitFor(() => b.isLeader(), 'takeover after expiry', 5000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    const lease = lease_(h);
    expect(lease.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 4 });
  });

  it('a leader that cannot renew steps down', async () => {
    h = await startHarness();
    const log: string[] = [];
    const a = elector('a', log);
    a.start();
    await waitFor(() => a.isLeader(), 'leading');
    const stop = h.sim.faults.failRequests({ status: 500, path: /leases/ });
    await waitFor(() => !a.isLeader(), 'stepped down', 3000);
    stop();
    await waitFor(() => a.isLeader(), 'leading again', 3000);
    expect(log).toEqual(['a+', 'a-', 'a+']);
  });

  it('only the leader reconciles, and a failover does not report anything twice', async () => {
    h = await startHarness();
    const le = { enabled: true, namespace: 'default', leaseName: 'fm', leaseDurationMs: 1000, renewDeadlineMs: 700, retryPeriodMs: 100 };
    const one = await h.startKube({ leaderElection: { ...le, identity: 'one' } });
    const two = await h.startKube({ leaderElection: { ...le, identity: 'two' } });
    await waitFor(() => one.isLeader() || two.isLeader(), 'a leader');
    const [leader, standby] = one.isLeader() ? [one, two] : [two, one];
    await idle(leader);
    h.sim.drivers.oomKill('shop', 'db-1');
    await waitFor(() => h.sink.alerts.length === 1, 'OOM alert');
    expect(standby.isLeader()).toBe(false);
    expect(Object.values(standby.reconciled()).reduce((s, n) => s + n, 0)).toBe(0);
    await leader.stop();
    await waitFor(() => standby.isLeader(), 'failover');
    await waitFor(() => Object.values(standby.reconciled()).reduce((s, n) => s + n, 0) > 0, 'standby reconciling');
    await idle(standby, 300);
    h.sim.drivers.oomKill('shop', 'db-2');
    await waitFor(() => h.sink.alerts.length === 2, 'second OOM alert from the new leader');
    await idle(standby, 300);
    expect(h.sink.alerts.map((a) => a.labels.pod)).toEqual(['db-1', 'db-2']);
  });
});

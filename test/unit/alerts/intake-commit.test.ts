import { describe, expect, it } from 'vitest';
import { createGroupCommit, type CommitDelivery } from '../../../alerts/intake-commit.ts';
import type { Alert } from '../../../alerts/model.ts';

const alert = (n: number) => ({ fingerprint: String(n) }) as unknown as Alert;
const delivery = (n: number, size = 1): CommitDelivery => ({
  source: 'test',
  acceptedAt: n,
  alerts: Array.from({ length: size }, (_, i) => alert(n * 100 + i)),
});

/** A write whose answers the test gives by hand, one per call, in order. */
function manualWrite() {
  const calls: Array<{ deliveries: CommitDelivery[]; ok(): void; fail(err: Error): void }> = [];
  const write = (deliveries: CommitDelivery[]) =>
    new Promise<void>((resolve, reject) => calls.push({ deliveries, ok: resolve, fail: reject }));
  return { calls, write };
}

/** Two event loop turns: the write's answer, then the next write (started on `setImmediate`). */
const settle = () => new Promise((r) => setImmediate(() => setImmediate(r)));

describe('group commit', () => {
  it('writes a lone delivery at once and gathers the ones arriving meanwhile into the next write', async () => {
    const w = manualWrite();
    const commit = createGroupCommit({ write: w.write, maxAlerts: 1000 });
    const done: number[] = [];
    const submit = (n: number) => void commit.submit(delivery(n)).then(() => done.push(n));
    submit(1);
    expect(w.calls).toHaveLength(1);
    submit(2);
    submit(3);
    submit(4);
    expect(w.calls).toHaveLength(1);
    w.calls[0]!.ok();
    await settle();
    expect(done).toEqual([1]);
    expect(w.calls).toHaveLength(2);
    expect(w.calls[1]!.deliveries.map((d) => d.acceptedAt)).toEqual([2, 3, 4]);
    w.calls[1]!.ok();
    await settle();
    expect(done).toEqual([1, 2, 3, 4]);
    expect(commit.stats()).toMatchObject({ writes: 2, deliveries: 4, alerts: 4, failedWrites: 0 });
  });

  it('fails exactly the deliveries of a failed write; the next batch still goes out', async () => {
    const w = manualWrite();
    const commit = createGroupCommit({ write: w.write, maxAlerts: 1000 });
    const outcome = new Map<number, string>();
    const submit = (n: number) =>
      void commit.submit(delivery(n)).then(
        () => outcome.set(n, 'ok'),
        (err: Error) => outcome.set(n, err.message),
      );
    submit(1);
    submit(2);
    submit(3);
    w.calls[0]!.ok();
    await settle();
    submit(4);
    w.calls[1]!.fail(new Error('write failed'));
    await settle();
    expect(w.calls[2]!.deliveries.map((d) => d.acceptedAt)).toEqual([4]);
    w.calls[2]!.ok();
    await settle();
    expect([...outcome.entries()].sort()).toEqual([
      [1, 'ok'],
      [2, 'write failed'],
      [3, 'write failed'],
      [4, 'ok'],
    ]);
    expect(commit.stats()).toMatchObject({ writes: 2, deliveries: 2, failedWrites: 1 });
  });

  it('bounds a write by alerts, never splitting a delivery', async () => {
    const w = manualWrite();
    const commit = createGroupCommit({ write: w.write, maxAlerts: 10 });
    void commit.submit(delivery(1));
    for (const [n, size] of [
      [2, 6],
      [3, 4],
      [4, 1],
      [5, 30],
    ] as const)
      void commit.submit(delivery(n, size));
    const sizes: number[][] = [];
    for (let i = 0; i < 4; i++) {
      sizes.push(w.calls[i]!.deliveries.map((d) => d.alerts.length));
      w.calls[i]!.ok();
      await settle();
    }
    expect(sizes).toEqual([[1], [6, 4], [1], [30]]);
  });
});

/**
 * Kubernetes notices are handed to the pipeline at least once: a report is marked done only after
 * the sink took it, so a replica that dies before or during the hand-over leaves it to the next
 * reconcile, and a repeat after a crash between hand-over and mark is absorbed by the pipeline's
 * dedup by fingerprint.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert, AlertSink } from '../../../alerts/model.ts';
import { startHub, type Hub } from '../../helpers/alert-hub.ts';
import { idle, startHarness, waitFor, type Harness } from './harness.ts';

let h: Harness | undefined;
let hub: Hub | undefined;
/** Ends a hand-over left hanging by a test, so its runtime can stop. */
let giveUp: (err: Error) => void = () => {};
afterEach(async () => {
  giveUp(new Error('process gone'));
  await h?.close();
  await hub?.stop();
  h = undefined;
  hub = undefined;
});

describe('Kubernetes notices are at-least-once', () => {
  it('a replica that dies while handing a notice over does not lose it: the next replica reports it', async () => {
    h = await startHarness();
    const handedOver: Alert[] = [];
    // The first replica's process dies in the middle of the hand-over: the call never returns.
    const dying: AlertSink = {
      emit: (alerts) => {
        handedOver.push(...alerts);
        return new Promise<void>((_, reject) => {
          giveUp = reject;
        });
      },
    };
    const first = await h.startKube({}, dying);
    await idle(first);
    h.sim.drivers.oomKill('shop', 'db-0');
    await waitFor(() => handedOver.length === 1, 'the hand-over that never completes');

    await h.startKube();
    const [alert] = await waitFor(() => h!.sink.some('KubeContainerOOMKilled'), 'the OOM notice from the next replica');
    expect(alert!.fingerprint).toBe(handedOver[0]!.fingerprint);
  });

  it('a crash between the hand-over and the mark hands the notice over again; the pipeline notifies once', async () => {
    hub = await startHub({
      alerts: { route: { receiver: 'console', group_wait: '300ms', group_interval: '1h', repeat_interval: '1h', group_by: ['alertname'] } },
    });
    const pipeline = hub.deps.alerts.sink;
    const handedOver: Alert[] = [];
    // The hand-over succeeds, then the process fails before the report is marked.
    const crashingOnce: AlertSink = {
      async emit(alerts) {
        await pipeline.emit(alerts);
        handedOver.push(...alerts);
        if (handedOver.length === 1) throw new Error('crashed before marking the report');
      },
    };
    h = await startHarness();
    const kube = await h.startKube({}, crashingOnce);
    await idle(kube);
    h.sim.drivers.oomKill('shop', 'db-0');
    await waitFor(() => handedOver.length === 2, 'the notice handed over again after the crash');
    expect(handedOver[1]!.fingerprint).toBe(handedOver[0]!.fingerprint);

    const sent = await waitFor(() => hub!.sent[0], 'the notification');
    expect(sent.notification.counts.firing).toBe(1);
    expect(sent.notification.firing.map((a) => a.fingerprint)).toEqual([handedOver[0]!.fingerprint]);
    // Marked after the second hand-over: settled reconcilers do not hand it over a third time.
    await idle(kube, 300);
    expect(handedOver).toHaveLength(2);
  });
});

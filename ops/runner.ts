/**
 * The executor: on the leader only, advances every confirmed operation step by step.
 *
 * Inputs: the `active` set and the operation records in Redis; the cluster through `OpsApi`.
 * Outputs: the API writes of each step, the record updated after every step (state, note,
 * `current`), a transition for the audit log and metrics, the final result to the observer.
 * Idempotency: a step is marked `running` before it acts and `done` after; a step found
 * `running` after a crash or failover is run again, and every step first checks whether its
 * effect is already there (see `steps.ts`), so no write is repeated. A per-operation lease in
 * Redis keeps two replicas from advancing the same operation during a leadership hand-over.
 */
import { randomBytes } from 'node:crypto';
import type { KubeLogger } from '../kube/types.ts';
import type { OpsApi } from './api.ts';
import type { OpsSettings } from './config-schema.ts';
import { writes } from './describe.ts';
import { checkRedLines } from './red-lines.ts';
import type { RedLineDeps } from './red-lines.ts';
import { annotationOf, refusalText } from './service.ts';
import type { OpsObserver } from './service.ts';
import { runStep } from './steps.ts';
import type { StepOutcome } from './steps.ts';
import { isFinal } from './store.ts';
import type { OpsStore } from './store.ts';
import type { Operation } from './types.ts';

export interface OpsRunnerDeps {
  settings: OpsSettings;
  store: OpsStore;
  api: OpsApi;
  redLines: RedLineDeps;
  observer: OpsObserver;
  logger: KubeLogger;
  /** Whether this replica leads (only the leader executes). */
  isLeader(): boolean;
  now?: () => number;
}

export class OpsRunner {
  readonly name = 'ops-runner';
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private readonly token = randomBytes(8).toString('hex');
  private readonly now: () => number;

  constructor(private readonly deps: OpsRunnerDeps) {
    this.now = deps.now ?? Date.now;
  }

  start(): Promise<void> {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.deps.settings.tickMs);
    this.timer.unref();
    this.kick();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.busy;
  }

  /** Runs a tick now (or right after the one in progress). */
  kick(): void {
    if (this.stopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = this.tick()
      .catch((err: unknown) => this.deps.logger.error({ err }, 'operations tick failed'))
      .finally(() => {
        this.busy = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Settles until no active operation can advance right now (tests and benchmarks). */
  async drain(): Promise<void> {
    await this.busy;
    await this.tick();
  }

  private async tick(): Promise<void> {
    if (!this.deps.isLeader()) return;
    for (const id of await this.deps.store.active()) {
      if (this.stopped) return;
      const op = await this.deps.store.get(id);
      if (!op || isFinal(op)) continue;
      if (op.status === 'planned') {
        if (this.now() >= op.expiresAt) await this.expire(op);
        continue;
      }
      if (!(await this.deps.store.lease(id, this.token, this.deps.settings.leaseMs))) continue;
      try {
        await this.advance(id);
      } finally {
        await this.deps.store.releaseLease(id, this.token);
      }
    }
  }

  private async expire(op: Operation): Promise<void> {
    const done = await this.deps.store.update(op.id, (o) => {
      if (o.status !== 'planned' || this.now() < o.expiresAt) return undefined;
      o.status = 'expired';
      o.history.push({ at: this.now(), by: 'firstmate', event: 'expired' });
      return o;
    });
    if (done?.status === 'expired') await this.deps.observer.transition(done, 'expired', 'firstmate');
  }

  private async advance(id: string): Promise<void> {
    const { store, observer } = this.deps;
    for (;;) {
      if (this.stopped || !this.deps.isLeader()) return;
      const op = await store.get(id);
      if (!op || isFinal(op)) return;
      if (op.current >= op.steps.length) return this.finish(op, 'succeeded', op.steps.at(-1)?.note ?? 'done');
      const index = op.current;
      const step = op.steps[index]!;
      if (step.state === 'pending') {
        if (writes(step.spec)) {
          const refusals = await checkRedLines(this.deps.redLines, op);
          if (refusals.length) return this.finish(op, 'failed', `stopped before step ${index + 1}: ${refusalText(refusals)}`);
        }
        const started = await store.update(id, (o) => {
          if (o.current !== index || o.steps[index]!.state !== 'pending') return undefined;
          o.status = 'running';
          o.startedAt ??= this.now();
          o.steps[index]!.state = 'running';
          o.steps[index]!.startedAt = this.now();
          o.history.push({ at: this.now(), by: 'firstmate', event: `step ${index + 1} started` });
          return o;
        });
        if (started) await observer.transition(started, `step ${index + 1} started`, 'firstmate', step.text);
        continue;
      }
      let result: StepOutcome;
      try {
        result = await runStep({
          api: this.deps.api,
          settings: this.deps.settings,
          op,
          step,
          now: this.now(),
          annotation: annotationOf(op),
        });
      } catch (err) {
        this.deps.logger.warn({ err, op: id, step: index + 1 }, 'operation step failed; retrying');
        result = { outcome: 'wait', note: `retrying: ${(err as Error).message}` };
      }
      if (result.outcome === 'fail') return this.finish(op, 'failed', `step ${index + 1} failed: ${result.note}`, index);
      const updated = await store.update(id, (o) => {
        if (o.current !== index) return undefined;
        const s = o.steps[index]!;
        if (result.outcome === 'wait' && s.note === result.note) return undefined;
        s.note = result.note;
        if (result.outcome === 'done') {
          s.state = 'done';
          s.finishedAt = this.now();
          o.current = index + 1;
          o.history.push({ at: this.now(), by: 'firstmate', event: `step ${index + 1} done`, detail: result.note });
        }
        return o;
      });
      if (result.outcome === 'wait') return;
      if (updated) await observer.transition(updated, `step ${index + 1} done`, 'firstmate', result.note);
    }
  }

  private async finish(op: Operation, status: 'succeeded' | 'failed', result: string, failedStep?: number): Promise<void> {
    let mine = false;
    const done = await this.deps.store.update(op.id, (o) => {
      mine = false;
      if (isFinal(o)) return undefined;
      mine = true;
      o.status = status;
      o.result = result;
      if (failedStep !== undefined) o.steps[failedStep]!.state = 'failed';
      o.history.push({ at: this.now(), by: 'firstmate', event: status, detail: result });
      return o;
    });
    await this.deps.store.releaseScope(op.target.scope, op.id);
    if (!done || !mine) return;
    await this.deps.observer.transition(done, status, 'firstmate', result);
    await this.deps.observer.finished(done);
  }
}

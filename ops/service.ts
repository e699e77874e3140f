/**
 * The operations service chat commands use: plan (resolve, strategy, dry run, red lines),
 * confirm (code, expiry, who may confirm, target still the planned object, the workload or node
 * taken for this operation), cancel, list. Execution is the runner's job (`runner.ts`).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { UserError } from '../core/errors.ts';
import type { KubeRuntime } from '../kube/runtime.ts';
import { podPath } from './api.ts';
import type { OpsApi } from './api.ts';
import { redLineNames } from './config-schema.ts';
import type { OpsSettings } from './config-schema.ts';
import { describeStep } from './describe.ts';
import { checkRedLines } from './red-lines.ts';
import type { RedLineDeps } from './red-lines.ts';
import { resolveNode, resolvePod } from './resolve.ts';
import { dryRunStep } from './steps.ts';
import { isFinal } from './store.ts';
import type { OpsStore } from './store.ts';
import { planNode, planPod } from './strategies.ts';
import type { PlanDraft } from './strategies.ts';
import type { Actor, Operation, OpKind, Origin, RedLineName, Refusal } from './types.ts';

/** Sees every transition (audit log, metrics) and every final result (posted where it was asked). */
export interface OpsObserver {
  transition(op: Operation, event: string, by: string, detail?: string): void | Promise<void>;
  finished(op: Operation): void | Promise<void>;
}

export interface OpsServiceDeps {
  settings: OpsSettings;
  protectedNamespaces: readonly string[];
  store: OpsStore;
  api: OpsApi;
  kube: Pick<KubeRuntime, 'cache' | 'storm'>;
  observer: OpsObserver;
  now?: () => number;
  /** Wakes the local runner after a confirmation. */
  kick?: () => void;
}

/** What the chat commands act through. */
export interface OpsService {
  plan(req: { kind: OpKind; query: string; actor: Actor; origin: Origin; overrides?: string[] }): Promise<Operation>;
  confirm(code: string, actor: Actor): Promise<Operation>;
  cancel(ref: string, actor: Actor): Promise<Operation>;
  list(all: boolean): Promise<Operation[]>;
  get(id: string): Promise<Operation | undefined>;
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const newCode = () => Array.from({ length: 6 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');

export const annotationOf = (op: Pick<Operation, 'id' | 'requester'>) => `${op.id} by ${op.requester.name}`;

const covers = (actor: Actor, ns: string) =>
  actor.namespaces.some((p) => p === '*' || (p.endsWith('*') ? ns.startsWith(p.slice(0, -1)) : p === ns));

/** Throws when the actor may not act on the operation's target (namespace scope; nodes need every namespace). */
export function assertScope(actor: Actor, op: Pick<Operation, 'target'>): void {
  const ns = op.target.namespace;
  if (ns ? covers(actor, ns) : actor.namespaces.includes('*')) return;
  const yours = actor.namespaces.join(', ') || 'none';
  throw new UserError(
    ns
      ? `you may not act on namespace \`${ns}\`; your namespaces: ${yours}`
      : `node operations need every namespace; your namespaces: ${yours}`,
  );
}

export function refusalText(refusals: readonly Refusal[]): string {
  return refusals.map((r) => `red line \`${r.redLine}\`: ${r.reason}. To proceed: ${r.howTo}.`).join('\n');
}

export function createOpsService(deps: OpsServiceDeps): OpsService {
  const { settings, store, api, observer } = deps;
  const now = deps.now ?? Date.now;
  const redLineDeps: RedLineDeps = {
    settings,
    protectedNamespaces: deps.protectedNamespaces,
    api,
    cache: deps.kube.cache,
    store,
    storm: () => deps.kube.storm().active,
    now,
  };
  const record = (op: Operation, event: string, by: string, detail?: string) => {
    op.history.push({ at: now(), by, event, ...(detail ? { detail } : {}) });
  };

  const parseOverrides = (actor: Actor, given: string[]): RedLineName[] => {
    const out: RedLineName[] = [];
    for (const name of given) {
      if (!(redLineNames as readonly string[]).includes(name))
        throw new UserError(`\`${name}\` is not a red line; they are: ${redLineNames.join(', ')}`);
      out.push(name as RedLineName);
    }
    if (out.length && actor.role !== 'admin') throw new UserError('only an admin may override a red line');
    return out;
  };

  const service: OpsService = {
    async plan({ kind, query, actor, origin, overrides = [] }) {
      if (!settings.enabled) throw new UserError('operations are disabled here (ops.enabled: false)');
      const overridden = parseOverrides(actor, overrides);
      const id = `op-${randomBytes(3).toString('hex')}`;
      const requester = actor;
      const annotation = annotationOf({ id, requester });
      let draft: PlanDraft;
      if (kind === 'delete-pod' || kind === 'recreate-pod') {
        const pod = await resolvePod(deps.kube.cache, api, query);
        assertScope(actor, { target: { kind: 'pod', name: '', uid: '', scope: '', namespace: pod.metadata.namespace ?? '' } });
        draft = await planPod(kind, pod, api, settings, annotation);
      } else {
        assertScope(actor, { target: { kind: 'node', name: '', uid: '', scope: '' } });
        draft = planNode(kind, await resolveNode(deps.kube.cache, api, query));
      }
      const at = now();
      const highRisk =
        settings.highRisk.kinds.includes(kind) ||
        (!!draft.target.namespace && settings.highRisk.namespaces.includes(draft.target.namespace));
      const op: Operation = {
        id,
        kind,
        status: 'planned',
        code: newCode(),
        requester,
        origin,
        ...draft,
        steps: draft.steps.map((spec) => ({ spec, text: describeStep(spec), state: 'pending' })),
        current: 0,
        highRisk,
        overrides: overridden,
        dryRun: [],
        confirmedBy: [],
        createdAt: at,
        expiresAt: at + settings.confirmTtlSeconds * 1000,
        updatedAt: at,
        history: [],
        rev: 0,
      };
      const refusals = await checkRedLines(redLineDeps, op);
      if (refusals.length) {
        await observer.transition(op, 'refused', actor.id, refusals.map((r) => r.redLine).join(','));
        throw new UserError(`refusing to ${kind} ${draft.target.name}:\n${refusalText(refusals)}`);
      }
      for (const s of op.steps) {
        const r = await dryRunStep(api, s.spec);
        if (r) op.dryRun.push(r);
      }
      const refused = op.dryRun.filter((d) => d.startsWith('dry run refused'));
      if (refused.length) throw new UserError(`the API server refused the plan for ${draft.target.name}: ${refused.join('; ')}`);
      record(op, 'planned', actor.id, overridden.length ? `overrides: ${overridden.join(', ')}` : undefined);
      await store.create(op, settings.confirmTtlSeconds);
      await observer.transition(op, 'planned', actor.id, overridden.length ? `override ${overridden.join(',')}` : undefined);
      return op;
    },

    async confirm(code, actor) {
      const op = await store.byCode(code.trim());
      if (!op)
        throw new UserError(`no plan waits for code ${code} (codes are single use and expire after ${settings.confirmTtlSeconds} s).`);
      if (op.status !== 'planned') {
        throw new UserError(
          `${op.id} is already ${op.status}${op.confirmedBy.length ? ` (confirmed by ${op.confirmedBy.join(', ')})` : ''}; see \`ops show ${op.id}\`.`,
        );
      }
      if (now() >= op.expiresAt) {
        const expired = await store.update(op.id, (o) => {
          if (o.status !== 'planned') return undefined;
          o.status = 'expired';
          record(o, 'expired', actor.id);
          return o;
        });
        if (expired?.status === 'expired') await observer.transition(expired, 'expired', actor.id);
        throw new UserError(`code ${code} expired; plan again with \`${op.kind} ${op.target.name}\`.`);
      }
      assertScope(actor, op);
      if (actor.role === 'viewer') throw new UserError('confirming needs the operator role');
      if (op.highRisk && actor.id === op.requester.id)
        throw new UserError(`${op.id} is high-risk: a second operator must confirm it with \`confirm ${op.code}\`.`);
      if (!op.highRisk && actor.id !== op.requester.id)
        throw new UserError(`only ${op.requester.name}, who asked for ${op.id}, may confirm it.`);
      if (op.target.kind === 'pod' && op.target.namespace) {
        const pod = await api.get(podPath(op.target.namespace, op.target.name.slice(op.target.namespace.length + 1)));
        if (!pod || pod.metadata.uid !== op.target.uid) {
          const failed = await store.update(op.id, (o) => {
            if (o.status !== 'planned') return undefined;
            o.status = 'failed';
            o.result = `plan invalidated: ${op.target.name} is ${pod ? 'a new pod (different uid)' : 'gone'} since the plan; nothing done`;
            record(o, 'invalidated', actor.id, o.result);
            return o;
          });
          if (failed) await observer.transition(failed, 'failed', actor.id, failed.result);
          throw new UserError(
            `${op.target.name} changed since the plan (${pod ? 'recreated with a new uid' : 'gone'}); nothing done. Plan again if still needed.`,
          );
        }
      }
      const refusals = await checkRedLines(redLineDeps, op);
      if (refusals.length) {
        await observer.transition(op, 'refused', actor.id, refusals.map((r) => r.redLine).join(','));
        throw new UserError(`refusing ${op.id}:\n${refusalText(refusals)}`);
      }
      const holder = await store.claimScope(op.target.scope, op.id);
      if (holder !== op.id)
        throw new UserError(`operation ${holder} is in flight on ${op.target.scope}; wait for it (\`ops show ${holder}\`).`);
      let mine = false;
      const confirmed = await store.update(op.id, (o) => {
        mine = false;
        if (o.status !== 'planned') return undefined;
        mine = true;
        o.status = 'confirmed';
        o.confirmedBy.push(actor.name);
        record(o, 'confirmed', actor.id);
        return o;
      });
      if (!confirmed || !mine) throw new UserError(`${op.id} was confirmed meanwhile; see \`ops show ${op.id}\`.`);
      await store.countStart([`scope:${op.target.scope}`, `user:${op.requester.id}`], op.id, now());
      await observer.transition(confirmed, 'confirmed', actor.id);
      deps.kick?.();
      return confirmed;
    },

    async cancel(ref, actor) {
      const op = (await store.byCode(ref.trim())) ?? (await store.get(ref.trim()));
      if (!op) throw new UserError(`no operation or code ${ref}.`);
      if (actor.id !== op.requester.id && actor.role !== 'admin')
        throw new UserError(`only ${op.requester.name} or an admin may cancel ${op.id}.`);
      let mine = false;
      const cancelled = await store.update(op.id, (o) => {
        mine = false;
        if (o.status !== 'planned' && !(o.status === 'confirmed' && o.steps.every((s) => s.state === 'pending'))) return undefined;
        mine = true;
        o.status = 'cancelled';
        record(o, 'cancelled', actor.id);
        return o;
      });
      if (!cancelled || !mine)
        throw new UserError(
          `${op.id} is ${cancelled?.status ?? op.status}${cancelled?.status === 'running' ? ': a started operation finishes or fails on its own' : ''}; nothing cancelled.`,
        );
      await store.releaseScope(op.target.scope, op.id);
      await observer.transition(cancelled, 'cancelled', actor.id);
      return cancelled;
    },

    async list(all) {
      const recent = await store.recent(all ? 50 : 20);
      if (all) return recent;
      const hourAgo = now() - 3_600_000;
      return recent.filter((o) => !isFinal(o) || o.updatedAt >= hourAgo).slice(0, 10);
    },

    get: (id) => store.get(id),
  };
  return service;
}

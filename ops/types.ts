/** The operation record, its steps and who asked: what Redis holds and chat shows. */
import type { OpKind, RedLineName } from './config-schema.ts';

export type { OpKind, RedLineName } from './config-schema.ts';

/** Who acts, as the chat layer resolved them (ops never sees platform details beyond this). */
export interface Actor {
  /** firstmate user id. */
  id: string;
  name: string;
  role: 'viewer' | 'operator' | 'admin';
  /** Namespaces the user may act on; `*` means all. */
  namespaces: string[];
}

/** Where a request was made; the result is posted back there. */
export interface Origin {
  platform: string;
  channelId: string;
  /** Thread or message the request came from, when the platform has one. */
  threadId?: string;
}

export type OpStatus = 'planned' | 'confirmed' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'expired';

/** A reference to one API object an operation reads or changes. */
export interface ObjRef {
  apiVersion: string;
  kind: string;
  /** REST plural (`statefulsets`). */
  plural: string;
  namespace?: string;
  name: string;
  uid: string;
}

/**
 * One step. Each is idempotent: it first checks whether its effect is already there (then it is
 * done without acting), else checks its guard against a fresh read and writes with that read's
 * resourceVersion (or the pod's uid) as precondition.
 */
export type StepSpec =
  /** Merge `labels`/`annotations` into the pod's metadata (null removes). */
  | { type: 'patch-pod'; pod: ObjRef; labels?: Record<string, string | null>; annotations?: Record<string, string | null> }
  /**
   * Scale the workload from exactly `from` to `to` replicas, in the same write adding `reserve`
   * to Kruise `spec.reserveOrdinals`, `deleteSlot` to PingCAP's `delete-slots` annotation, or
   * `label` to the workload's labels.
   */
  | {
      type: 'scale';
      workload: ObjRef;
      from: number;
      to: number;
      reserveOrdinal?: number;
      deleteSlot?: number;
      label?: { key: string; value: string };
    }
  /** Remove a label from the workload. */
  | { type: 'unlabel-workload'; workload: ObjRef; key: string }
  /** Delete the pod with this uid. */
  | { type: 'delete-pod'; pod: ObjRef }
  /** Set the node's `spec.unschedulable` (and the operation annotation). */
  | { type: 'cordon'; node: string; unschedulable: boolean }
  /** Evict every pod on the node except DaemonSet and mirror pods; 429s retried until the deadline. */
  | { type: 'evict-node'; node: string }
  /**
   * Verification: the pod of that uid is gone and the workload is back to `replicas` Ready pods;
   * for a StatefulSet the pod of the same name is among them (with `fixedIp` when the pod keeps its IP).
   */
  | { type: 'verify-recreated'; pod: ObjRef; workload: ObjRef; replicas: number; sameName: boolean; fixedIp?: string }
  /** Verification: the pod is gone, the workload has `replicas` Ready pods and the others were not touched. */
  | { type: 'verify-removed'; pod: ObjRef; workload: ObjRef; replicas: number; keep: string[] };

export type StepState = 'pending' | 'running' | 'done' | 'failed';

export interface Step {
  spec: StepSpec;
  /** One line: the API change or check, for plans and `ops show`. */
  text: string;
  state: StepState;
  /** Last thing the step reported (waiting on a PDB, done without acting, …). */
  note?: string;
  startedAt?: number;
  finishedAt?: number;
}

/** The target as resolved at plan time; every step refers back to it. */
export interface Target {
  kind: 'pod' | 'node';
  /** `ns/name` of a pod or the node name. */
  name: string;
  namespace?: string;
  uid: string;
  node?: string;
  ip?: string;
  /** The workload (or node) the in-flight and rate red lines count on: `StatefulSet/ns/name`, `Node/name`. */
  scope: string;
  workload?: ObjRef & { replicas: number; ready: number; group: string };
}

/** One audited change of an operation's state. */
export interface Transition {
  at: number;
  by: string;
  event: string;
  detail?: string;
}

/** One operation, as stored in Redis. */
export interface Operation {
  id: string;
  kind: OpKind;
  status: OpStatus;
  /** Confirmation code while planned. */
  code: string;
  requester: Actor;
  origin: Origin;
  target: Target;
  /** The strategy chosen and why. */
  strategy: string;
  why: string;
  /** What the workload (or node) looks like afterwards. */
  after: string;
  steps: Step[];
  /** Index of the step in progress (steps.length when all are done). */
  current: number;
  highRisk: boolean;
  /** Red lines overridden by an admin, with who did it. */
  overrides: RedLineName[];
  /** Results of the server-side dry run at plan time. */
  dryRun: string[];
  confirmedBy: string[];
  createdAt: number;
  expiresAt: number;
  updatedAt: number;
  /** Verification deadline, set when the first step starts. */
  startedAt?: number;
  result?: string;
  history: Transition[];
  /** Optimistic-concurrency counter of the record. */
  rev: number;
}

/** A red-line refusal: which one, why, and how to proceed. */
export interface Refusal {
  redLine: RedLineName;
  reason: string;
  howTo: string;
}

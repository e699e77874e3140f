import type { AuditLog } from '../chat/audit.ts';
import type { CommandContext as ChatCommandContext, Handler as ChatHandler } from '../chat/command.ts';
import type { Incidents } from '../alerts/pipeline/incidents.ts';
import type { Silences } from '../alerts/silences.ts';
import type { KnowledgeBase } from '../knowledge/index.ts';
import type { KubeRuntime } from '../kube/runtime.ts';
import type { OpsService } from '../ops/index.ts';

export type { Identity, Platform, Role, User } from '../chat/command.ts';
export { roleAllows } from '../chat/command.ts';

/**
 * What chat commands act through: incidents and silences of the alert hub, the knowledge base,
 * the Kubernetes runtime and the safe operations (absent when the bot has no cluster) and the
 * audit log. Narrower than the
 * process's `Deps` on purpose: a handler cannot reach clients it has no business with.
 */
/**
 * The scenarios of the simulated cluster (`firstmate demo` only): each drives the sim's real
 * drivers and returns one line saying what happened and what to watch for. A request that
 * cannot be done throws an `Error` whose message is for the user.
 */
export interface DemoScenarios {
  failNode(node: string): Promise<string>;
  oom(namespace: string, pod: string): Promise<string>;
  /** Cuts `percent` % of the nodes off the control plane. */
  split(percent: number): Promise<string>;
  recover(): Promise<string>;
}

export interface CommandServices {
  incidents: Incidents;
  silences: Silences;
  knowledge: KnowledgeBase;
  kube?: KubeRuntime;
  /** Safe operations (absent without a cluster or with `ops.enabled: false`). */
  ops?: OpsService;
  audit: Pick<AuditLog, 'latest'>;
  /** How times are shown (`display.timeZone`; default the machine's zone). */
  display: { timeZone?: string };
  /** Present only in `firstmate demo`: the simulated cluster's scenarios. */
  demo?: DemoScenarios;
}

export type CommandContext = ChatCommandContext<CommandServices>;
export type Handler = ChatHandler<CommandServices>;

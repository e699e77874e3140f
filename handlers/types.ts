import type { AuditLog } from '../chat/audit.ts';
import type { CommandContext as ChatCommandContext, Handler as ChatHandler } from '../chat/command.ts';
import type { Incidents } from '../alerts/pipeline/incidents.ts';
import type { Silences } from '../alerts/silences.ts';
import type { KnowledgeBase } from '../knowledge/index.ts';
import type { KubeRuntime } from '../kube/runtime.ts';

export type { Identity, Platform, Role, User } from '../chat/command.ts';
export { roleAllows } from '../chat/command.ts';

/**
 * What chat commands act through: incidents and silences of the alert hub, the knowledge base,
 * the Kubernetes runtime (absent when the bot has no cluster) and the audit log. Narrower than the
 * process's `Deps` on purpose: a handler cannot reach clients it has no business with.
 */
export interface CommandServices {
  incidents: Incidents;
  silences: Silences;
  knowledge: KnowledgeBase;
  kube?: KubeRuntime;
  audit: Pick<AuditLog, 'latest'>;
  /** How times are shown (`display.timeZone`; default the machine's zone). */
  display: { timeZone?: string };
}

export type CommandContext = ChatCommandContext<CommandServices>;
export type Handler = ChatHandler<CommandServices>;

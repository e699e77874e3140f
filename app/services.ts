import { createAuditLog } from '../chat/audit.ts';
import type { CommandServices } from '../handlers/types.ts';
import type { Deps } from './deps.ts';

/** The narrow services chat commands act through, taken from the process's `Deps`. */
export function createCommandServices(deps: Deps): CommandServices {
  return {
    incidents: deps.alerts.incidents,
    silences: deps.alerts.silences,
    knowledge: deps.knowledge,
    ...(deps.kube ? { kube: deps.kube } : {}),
    ...(deps.ops ? { ops: deps.ops.service } : {}),
    audit: createAuditLog(deps),
    display: deps.config.display.timeZone ? { timeZone: deps.config.display.timeZone } : {},
    ...(deps.demo ? { demo: deps.demo } : {}),
  };
}

import { ack } from './ack.ts';
import { alerts } from './alerts.ts';
import { audit } from './audit.ts';
import { cancel } from './cancel.ts';
import { confirm } from './confirm.ts';
import { cordon } from './cordon.ts';
import { deletePod } from './delete-pod.ts';
import { drain } from './drain.ts';
import { demo } from './demo.ts';
import { events } from './events.ts';
import { help } from './help.ts';
import { host } from './host.ts';
import { kb } from './kb.ts';
import { logs } from './logs.ts';
import { nodes } from './nodes.ts';
import { ops } from './ops.ts';
import { pod } from './pod.ts';
import { pods } from './pods.ts';
import { recreatePod } from './recreate-pod.ts';
import { silence } from './silence.ts';
import { silences } from './silences.ts';
import { unsilence } from './unsilence.ts';
import type { Handler } from './types.ts';
import { uncordon } from './uncordon.ts';
import { whoami } from './whoami.ts';
import { workload } from './workload.ts';

/** Every chat command, registered explicitly. `help` lists them in this order. */
export const handlers: readonly Handler[] = [
  help,
  whoami,
  host,
  pod,
  pods,
  events,
  nodes,
  workload,
  logs,
  alerts,
  ack,
  silence,
  silences,
  unsilence,
  kb,
  deletePod,
  recreatePod,
  cordon,
  uncordon,
  drain,
  ops,
  confirm,
  cancel,
  audit,
];

/** Commands that exist only in `firstmate demo` (registered when the demo scenarios are present). */
export const demoHandlers: readonly Handler[] = [demo];

import { reply, type Block } from '../core/reply.ts';
import { UserError } from '../core/errors.ts';
import { redactText } from '../core/redact.ts';
import { formatDuration } from '../alerts/duration.ts';
import type { Handler } from './types.ts';

const labelsText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || '(all)';

/** `alerts [failed]`: open incidents (ref, receiver, counts, age, acked by), or failed deliveries. */
export const alerts: Handler = {
  name: 'alerts',
  role: 'viewer',
  usage: 'alerts [failed]',
  summary: 'open incidents with their refs, or deliveries that failed',
  async run({ services, args }) {
    const now = Date.now();
    if (args[0] === 'failed') {
      const failed = await services.incidents.failed(20);
      return reply(
        { kind: 'heading', text: `failed deliveries (${failed.length})` },
        {
          kind: 'table',
          columns: ['when', 'ref', 'receiver', 'kind', 'attempts', 'error'],
          rows: failed.map((f) => [
            formatDuration(now - Date.parse(f.at)) + ' ago',
            f.ref,
            f.receiver,
            f.kind,
            String(f.attempts),
            redactText(f.error).slice(0, 120),
          ]),
        },
      );
    }
    if (args.length > 0)
      throw new UserError(
        `unknown argument "${args[0]}": \`alerts\` takes nothing (open incidents) or \`alerts failed\` (failed deliveries)`,
      );
    const open = await services.incidents.open(50);
    const blocks: Block[] = [
      { kind: 'heading', text: `open incidents (${open.length})` },
      {
        kind: 'table',
        columns: ['ref', 'group', 'receiver', 'firing', 'resolved', 'age', 'acked by'],
        rows: open.map((i) => [
          i.ref,
          labelsText(i.groupLabels),
          i.receiver,
          String(i.firing),
          String(i.resolved),
          formatDuration(now - i.openedAt),
          i.ackedBy ?? '-',
        ]),
      },
    ];
    const unacked = open.filter((i) => !i.ackedBy).slice(0, 5);
    if (unacked.length > 0)
      blocks.push({
        kind: 'actions',
        actions: unacked.map((i) => ({ label: `Ack ${i.ref}`, command: `ack ${i.ref}`, style: 'primary' as const })),
      });
    return reply(...blocks);
  },
};

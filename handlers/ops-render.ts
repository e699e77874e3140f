/** How operations read in chat: the plan with its code and buttons, one operation, the list, the result. */
import { reply } from '../core/reply.ts';
import type { Block, Reply } from '../core/reply.ts';
import type { Operation } from '../ops/index.ts';

const time = (ms?: number) => (ms ? new Date(ms).toISOString().slice(11, 19) : '-');

function stepRows(op: Operation): string[][] {
  return op.steps.map((s, i) => [String(i + 1), s.state, s.text, s.note ?? '']);
}

/** The plan: strategy and why, every API change in order, the outcome, and how to confirm. */
export function renderPlan(op: Operation): Reply {
  const blocks: Block[] = [
    { kind: 'heading', text: `plan ${op.id}: ${op.kind} ${op.target.name}` },
    {
      kind: 'fields',
      fields: [
        { label: 'strategy', value: op.strategy },
        { label: 'why', value: op.why },
        { label: 'afterwards', value: op.after },
        ...(op.target.node && op.target.kind === 'pod' ? [{ label: 'node', value: op.target.node }] : []),
        ...(op.target.ip ? [{ label: 'ip', value: op.target.ip }] : []),
        ...(op.overrides.length ? [{ label: 'overridden red lines', value: op.overrides.join(', ') }] : []),
      ],
    },
    { kind: 'table', columns: ['#', 'step'], rows: op.steps.map((s, i) => [String(i + 1), s.text]) },
  ];
  if (op.dryRun.length) blocks.push({ kind: 'context', text: op.dryRun.join('\n') });
  const expires = Math.round((op.expiresAt - op.createdAt) / 1000);
  blocks.push({
    kind: 'text',
    text: op.highRisk
      ? `High-risk: a second operator confirms with \`confirm ${op.code}\` (expires in ${expires} s); \`cancel ${op.code}\` drops it.`
      : `Confirm with \`confirm ${op.code}\` (expires in ${expires} s), or \`cancel ${op.code}\`.`,
  });
  blocks.push({
    kind: 'actions',
    actions: [
      { label: 'Confirm', command: `confirm ${op.code}`, style: 'primary' },
      { label: 'Cancel', command: `cancel ${op.code}`, style: 'danger' },
    ],
  });
  return reply(...blocks);
}

/** One operation with its steps and history (`ops show`). */
export function renderOp(op: Operation): Reply {
  return reply(
    { kind: 'heading', text: `${op.id}: ${op.kind} ${op.target.name} — ${op.status}` },
    {
      kind: 'fields',
      fields: [
        { label: 'requested by', value: op.requester.name },
        { label: 'confirmed by', value: op.confirmedBy.join(', ') || '-' },
        { label: 'strategy', value: op.strategy },
        { label: 'step', value: `${Math.min(op.current + 1, op.steps.length)}/${op.steps.length}` },
        ...(op.result ? [{ label: 'result', value: op.result }] : []),
      ],
    },
    { kind: 'table', columns: ['#', 'state', 'step', 'note'], rows: stepRows(op) },
    { kind: 'context', text: op.history.map((h) => `${time(h.at)} ${h.event} (${h.by})${h.detail ? `: ${h.detail}` : ''}`).join('\n') },
  );
}

/** Operations in flight and recent ones (`ops`, `ops all`). */
export function renderList(ops: Operation[], all: boolean): Reply {
  if (ops.length === 0) return reply({ kind: 'text', text: all ? 'no operations yet' : 'no operations in flight or in the last hour' });
  return reply({
    kind: 'table',
    columns: ['id', 'kind', 'target', 'status', 'step', 'by', 'updated'],
    rows: ops.map((o) => [
      o.id,
      o.kind,
      o.target.name,
      o.status,
      `${Math.min(o.current + 1, o.steps.length)}/${o.steps.length}${o.steps[o.current]?.note ? ` ${o.steps[o.current]!.note}` : ''}`,
      o.requester.name,
      time(o.updatedAt),
    ]),
  });
}

/** The final result, posted where the operation was asked. */
export function renderResult(op: Operation): Reply {
  const ok = op.status === 'succeeded';
  return {
    blocks: [
      {
        kind: 'text',
        text: `operation ${op.id} by ${op.requester.name}: ${op.kind} ${op.target.name} ${op.status}. ${op.result ?? ''}`.trim(),
      },
      { kind: 'actions', actions: [{ label: `ops show ${op.id}`, command: `ops show ${op.id}` }] },
    ],
    ...(ok ? {} : { error: true }),
  };
}

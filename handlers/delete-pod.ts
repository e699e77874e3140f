import { renderPlan } from './ops-render.ts';
import { actorOf, opsOf, originOf, parseOpArgs } from './ops-request.ts';
import type { Handler } from './types.ts';

/** `delete-pod <ip|ns/name> [--override <red line>]`: remove one pod for good: its workload ends one replica smaller (plan, then confirm). */
export const deletePod: Handler = {
  name: 'delete-pod',
  role: 'operator',
  class: 'ops',
  usage: 'delete-pod <ip|ns/name> [--override <red line>]',
  summary: 'remove one pod for good: its workload ends one replica smaller (plan, then confirm)',
  async run(ctx) {
    const ops = await opsOf(ctx);
    const { target, overrides } = parseOpArgs(ctx, this.usage);
    const op = await ops.plan({ kind: 'delete-pod', query: target, actor: actorOf(ctx), origin: originOf(ctx), overrides });
    return renderPlan(op);
  },
};

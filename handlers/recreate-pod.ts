import { renderPlan } from './ops-render.ts';
import { actorOf, opsOf, originOf, parseOpArgs } from './ops-request.ts';
import type { Handler } from './types.ts';

/** `recreate-pod <ip|ns/name> [--override <red line>]`: delete one pod for its controller to recreate it, and verify it is back Ready. */
export const recreatePod: Handler = {
  name: 'recreate-pod',
  role: 'operator',
  class: 'ops',
  usage: 'recreate-pod <ip|ns/name> [--override <red line>]',
  summary: 'delete one pod for its controller to recreate it, and verify it is back Ready',
  async run(ctx) {
    const ops = await opsOf(ctx);
    const { target, overrides } = parseOpArgs(ctx, this.usage);
    const op = await ops.plan({ kind: 'recreate-pod', query: target, actor: actorOf(ctx), origin: originOf(ctx), overrides });
    return renderPlan(op);
  },
};

import { renderPlan } from './ops-render.ts';
import { actorOf, opsOf, originOf, parseOpArgs } from './ops-request.ts';
import type { Handler } from './types.ts';

/** `cordon <node|ip> [--override <red line>]`: mark a node unschedulable (plan, then confirm). */
export const cordon: Handler = {
  name: 'cordon',
  role: 'operator',
  class: 'ops',
  usage: 'cordon <node|ip> [--override <red line>]',
  summary: 'mark a node unschedulable (plan, then confirm)',
  async run(ctx) {
    const ops = await opsOf(ctx);
    const { target, overrides } = parseOpArgs(ctx, this.usage);
    const op = await ops.plan({ kind: 'cordon', query: target, actor: actorOf(ctx), origin: originOf(ctx), overrides });
    return renderPlan(op);
  },
};

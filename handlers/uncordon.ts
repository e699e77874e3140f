import { renderPlan } from './ops-render.ts';
import { actorOf, opsOf, originOf, parseOpArgs } from './ops-request.ts';
import type { Handler } from './types.ts';

/** `uncordon <node|ip>`: make a cordoned node schedulable again (plan, then confirm). */
export const uncordon: Handler = {
  name: 'uncordon',
  role: 'operator',
  class: 'ops',
  usage: 'uncordon <node|ip>',
  summary: 'make a cordoned node schedulable again (plan, then confirm)',
  async run(ctx) {
    const ops = await opsOf(ctx);
    const { target, overrides } = parseOpArgs(ctx, this.usage);
    const op = await ops.plan({ kind: 'uncordon', query: target, actor: actorOf(ctx), origin: originOf(ctx), overrides });
    return renderPlan(op);
  },
};

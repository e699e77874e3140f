import { renderPlan } from './ops-render.ts';
import { actorOf, opsOf, originOf, parseOpArgs } from './ops-request.ts';
import type { Handler } from './types.ts';

/** `drain <node|ip> [--override <red line>]`: cordon a node and evict its pods through the Eviction API (PDBs honoured). */
export const drain: Handler = {
  name: 'drain',
  role: 'operator',
  class: 'ops',
  usage: 'drain <node|ip> [--override <red line>]',
  summary: 'cordon a node and evict its pods through the Eviction API (PDBs honoured)',
  async run(ctx) {
    const ops = await opsOf(ctx);
    const { target, overrides } = parseOpArgs(ctx, this.usage);
    const op = await ops.plan({ kind: 'drain', query: target, actor: actorOf(ctx), origin: originOf(ctx), overrides });
    return renderPlan(op);
  },
};

import { textReply } from '../core/reply.ts';
import { actorOf, opsOf } from './ops-request.ts';
import type { Handler } from './types.ts';
import { UserError } from '../core/errors.ts';

/** `cancel <code|id>`: drops a plan, or a confirmed operation that has not started. */
export const cancel: Handler = {
  name: 'cancel',
  role: 'operator',
  class: 'ops',
  usage: 'cancel <code|id>',
  summary: 'drop a plan or an operation that has not started',
  async run(ctx) {
    const ref = ctx.args[0];
    if (!ref) throw new UserError(`usage: ${this.usage}`);
    const op = await (await opsOf(ctx)).cancel(ref, actorOf(ctx));
    return textReply(`${op.id} cancelled: nothing was changed.`);
  },
};

import { textReply } from '../core/reply.ts';
import { actorOf, opsOf } from './ops-request.ts';
import type { Handler } from './types.ts';
import { UserError } from '../core/errors.ts';

/** `confirm <code>`: runs a planned operation (the requester; a second operator for high-risk plans). */
export const confirm: Handler = {
  name: 'confirm',
  role: 'operator',
  class: 'ops',
  usage: 'confirm <code>',
  summary: 'run a planned operation',
  async run(ctx) {
    const code = ctx.args[0];
    if (!code) throw new UserError(`usage: ${this.usage}`);
    const op = await (await opsOf(ctx)).confirm(code, actorOf(ctx));
    return textReply(
      `${op.id} confirmed by ${ctx.user.name}: ${op.kind} ${op.target.name} runs now, step by step. \`ops show ${op.id}\` follows it; the result is posted here.`,
    );
  },
};

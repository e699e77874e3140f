import { UserError } from '../core/errors.ts';
import { renderList, renderOp } from './ops-render.ts';
import { opsOf } from './ops-request.ts';
import type { Handler } from './types.ts';

/** `ops [all]`, `ops show <id>`: operations in flight and recent ones, or one with its steps. */
export const ops: Handler = {
  name: 'ops',
  role: 'operator',
  class: 'ops',
  usage: 'ops [all] | ops show <id>',
  summary: 'operations in flight and recent ones, with their step; `ops show <id>` for one',
  async run(ctx) {
    const service = await opsOf(ctx);
    const [sub, id] = ctx.args;
    if (sub === 'show') {
      if (!id) throw new UserError('usage: ops show <id>');
      const op = await service.get(id);
      if (!op) throw new UserError(`no operation ${id}; \`ops all\` lists them.`);
      return renderOp(op);
    }
    if (sub !== undefined && sub !== 'all') throw new UserError(`usage: ${this.usage}`);
    return renderList(await service.list(sub === 'all'), sub === 'all');
  },
};

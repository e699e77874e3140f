import { textReply } from '../core/reply.ts';
import { UserError } from '../core/errors.ts';
import { describeMatchers } from '../alerts/silences.ts';
import { assertMatchersInScope } from './scope.ts';
import type { Handler } from './types.ts';

/** `unsilence <id>`: ends a silence now. */
export const unsilence: Handler = {
  name: 'unsilence',
  role: 'operator',
  usage: 'unsilence <id>',
  summary: 'end a silence now',
  async run({ services, args, user }) {
    const id = args[0];
    if (!id) throw new UserError('missing the silence id: `unsilence <id>` with an id from `silences`');
    if (args.length > 1) throw new UserError(`one silence at a time: \`unsilence ${id}\` (got ${args.length} arguments)`);
    if (!/^[0-9a-f]{8}$/i.test(id))
      throw new UserError(`"${id}" is not a silence id (8 hex digits such as 3fa9c2d1); \`silences\` lists them`);
    const existing = await services.silences.get(id.toLowerCase());
    if (!existing) throw new UserError(`no silence ${id}; \`silences\` lists them`);
    assertMatchersInScope(user, existing.matchers);
    const s = await services.silences.expire(existing.id, user.name);
    if (!s) throw new UserError(`no silence ${id}; \`silences\` lists them`);
    return textReply(`silence ${s.id} (${describeMatchers(s)}) ended; matching alerts notify again at their next flush.`);
  },
};

import { reply } from '../core/reply.ts';
import { UserError } from '../core/errors.ts';
import { roleAllows, type Handler } from './types.ts';

/** `help [command]`: the commands this user may run here, or the usage of one. */
export const help: Handler = {
  name: 'help',
  role: 'anyone',
  usage: 'help [command]',
  summary: 'list the commands you may run, or explain one',
  async run({ args, user, handlers, allowedHere }) {
    const here = (h: Handler) => allowedHere?.(h) ?? true;
    const allowed = handlers.filter((h) => roleAllows(user.role, h.role) && here(h));
    const wanted = args[0]?.toLowerCase();
    if (wanted) {
      const h = handlers.find((x) => x.name === wanted);
      if (!h) throw new UserError(`no command \`${wanted}\`; type \`help\` for the list`);
      const access = !roleAllows(user.role, h.role)
        ? `needs the ${h.role} role; you are ${user.role}`
        : here(h)
          ? 'you may run it'
          : 'you may run it, but not in this channel';
      return reply(
        { kind: 'heading', text: h.name },
        { kind: 'text', text: h.summary },
        {
          kind: 'fields',
          fields: [
            { label: 'usage', value: h.usage },
            { label: 'access', value: access },
          ],
        },
      );
    }
    return reply(
      { kind: 'heading', text: 'firstmate commands' },
      { kind: 'table', columns: ['command', 'what'], rows: allowed.map((h) => [h.usage, h.summary]) },
      { kind: 'context', text: `You are ${user.name} (${user.role}). \`help <command>\` explains one.` },
    );
  },
};

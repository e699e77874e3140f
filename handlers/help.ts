import { reply } from '../core/reply.ts';
import { UserError } from '../core/errors.ts';
import { nearestNames } from '../chat/command-form.ts';
import { roleAllows, type Handler } from './types.ts';

/**
 * `help [command]`: the commands this user may run here, one line each (name and summary, fitted
 * to the chat's width), or one command's usage and access.
 */
export const help: Handler = {
  name: 'help',
  role: 'anyone',
  usage: 'help [command]',
  summary: 'list the commands you may run, or explain one',
  async run({ args, user, handlers, allowedHere, commandForm }) {
    const form = commandForm ?? ((c: string) => c);
    const here = (h: Handler) => allowedHere?.(h) ?? true;
    const allowed = handlers.filter((h) => roleAllows(user.role, h.role) && here(h));
    const wanted = args[0]?.toLowerCase();
    if (wanted) {
      const h = handlers.find((x) => x.name === wanted);
      if (!h) {
        const close = nearestNames(
          wanted,
          handlers.map((x) => x.name),
        );
        const hint = close.length > 0 ? ` Did you mean \`help ${close[0]}\`?` : '';
        throw new UserError(`no command \`${wanted}\`.${hint} Type \`help\` for the list.`);
      }
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
            { label: 'usage', value: form(h.usage) },
            { label: 'access', value: access },
          ],
        },
      );
    }
    return reply(
      { kind: 'heading', text: 'firstmate commands' },
      { kind: 'table', columns: ['command', 'what it does'], rows: allowed.map((h) => [h.name, h.summary]), overflow: 'cut' },
      { kind: 'context', text: `You are ${user.name} (${user.role}). \`${form('help <command>')}\` shows how to use one.` },
    );
  },
};

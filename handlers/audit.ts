import { reply } from '../core/reply.ts';
import { humanTime } from '../core/time.ts';
import { UserError } from '../core/errors.ts';
import type { Handler } from './types.ts';

const MAX = 200;

/** `audit [n]`: the latest n audited commands (default 20), newest first. */
export const audit: Handler = {
  name: 'audit',
  role: 'admin',
  class: 'admin',
  usage: 'audit [n]',
  summary: 'recent audited commands, allowed or refused',
  async run({ services, args }) {
    const now = Date.now();
    const raw = args[0];
    const n = raw === undefined ? 20 : Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > MAX)
      throw new UserError(`"${raw}" is not a count: \`audit [n]\` takes a whole number from 1 to ${MAX}`);
    const entries = await services.audit.latest(n);
    const rows = entries.map((e) => [
      humanTime(e.at, { ...services.display, now }),
      e.user || '-',
      `${e.platform}:${e.platformUserId}`,
      e.channel,
      [e.command, ...e.args].join(' ').slice(0, 60),
      e.decision === 'allowed' ? e.result : e.decision,
      e.reason ? e.reason.slice(0, 60) : e.ref ? `ref ${e.ref}` : '',
    ]);
    return reply(
      { kind: 'heading', text: `audit: latest ${entries.length}` },
      { kind: 'table', columns: ['when', 'user', 'identity', 'channel', 'command', 'outcome', 'detail'], rows },
    );
  },
};

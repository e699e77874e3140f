import { reply } from '../core/reply.ts';
import { formatDuration } from '../alerts/duration.ts';
import { describeMatchers, silenceState } from '../alerts/silences.ts';
import type { Handler } from './types.ts';

/** `silences`: active and pending silences (and those that ended in the last day). */
export const silences: Handler = {
  name: 'silences',
  role: 'viewer',
  usage: 'silences',
  summary: 'list silences: id, matchers, state, time left, who and why',
  async run({ services }) {
    const now = Date.now();
    const list = await services.silences.list();
    const order = { active: 0, pending: 1, expired: 2 } as const;
    list.sort((a, b) => order[silenceState(a, now)] - order[silenceState(b, now)]);
    return reply(
      { kind: 'heading', text: `silences (${list.filter((s) => silenceState(s, now) !== 'expired').length} in force or pending)` },
      {
        kind: 'table',
        columns: ['id', 'matchers', 'state', 'ends', 'by', 'comment'],
        rows: list.map((s) => {
          const state = silenceState(s, now);
          const ends =
            state === 'expired' ? `${formatDuration(now - Date.parse(s.endsAt))} ago` : `in ${formatDuration(Date.parse(s.endsAt) - now)}`;
          return [
            s.id,
            describeMatchers(s),
            state,
            ends,
            s.expiredBy ? `${s.createdBy} (ended by ${s.expiredBy})` : s.createdBy,
            s.comment,
          ];
        }),
      },
    );
  },
};

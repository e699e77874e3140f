import { reply } from '../core/reply.ts';
import { humanTime } from '../core/time.ts';
import { UserError } from '../core/errors.ts';
import { formatDuration, parseDuration } from '../alerts/duration.ts';
import { parseMatcher } from '../alerts/matchers.ts';
import { describeMatchers } from '../alerts/silences.ts';
import { assertMatchersInScope } from './scope.ts';
import { roleAllows, type Handler } from './types.ts';

const looksLikeMatcher = (s: string) => /^[\p{L}_][\p{L}\p{N}_.\-/]*\s*(=~|!~|!=|=)/u.test(s);

/** `silence <matchers> <duration> [reason]`: mutes matching alerts for a while. */
export const silence: Handler = {
  name: 'silence',
  role: 'operator',
  usage: 'silence <name=value …> <duration> [reason] [--all]',
  summary:
    'mute alerts matching the matchers for a duration (e.g. `silence alertname=KubePodEvicted namespace=db 2h "maintenance"`); `--all` (admins) allows one that matches everything',
  async run({ services, args: given, user }) {
    const all = given.includes('--all');
    const args = given.filter((a) => a !== '--all');
    if (all && !roleAllows(user.role, 'admin')) throw new UserError(`\`--all\` needs the admin role; you are ${user.role}.`);
    const matchers: string[] = [];
    let i = 0;
    while (i < args.length && looksLikeMatcher(args[i]!)) matchers.push(args[i++]!);
    if (matchers.length === 0)
      throw new UserError(
        `${args[0] ? `"${args[0]}" is not a matcher (name=value, name!=value, name=~regex)` : 'missing matchers'}: \`silence <name=value …> <duration> [reason]\`, e.g. \`silence alertname=KubePodEvicted namespace=db 2h "maintenance"\``,
      );
    const parsed = matchers.map((m) => {
      try {
        return parseMatcher(m);
      } catch (err) {
        throw new UserError((err as Error).message, { cause: err });
      }
    });
    assertMatchersInScope(user, parsed);
    const durationText = args[i++];
    if (!durationText) throw new UserError(`missing duration after ${matchers.join(' ')}: add how long, e.g. \`2h\` or \`30m\``);
    let ms: number;
    try {
      ms = parseDuration(durationText);
    } catch (err) {
      throw new UserError(`${(err as Error).message}`, { cause: err });
    }
    const max = services.silences.maxDurationMs;
    if (ms <= 0 || ms > max) throw new UserError(`a silence lasts between 1s and ${formatDuration(max)}, not ${durationText}`);
    const comment = args.slice(i).join(' ');
    let s;
    try {
      s = await services.silences.create({ matchers, endsAt: new Date(Date.now() + ms), createdBy: user.name, comment, all });
    } catch (err) {
      throw new UserError((err as Error).message, { cause: err });
    }
    return reply(
      { kind: 'text', text: `silence ${s.id} mutes ${describeMatchers(s)} for ${formatDuration(ms)}` },
      {
        kind: 'context',
        text: `ends ${humanTime(s.endsAt, services.display)} · by ${s.createdBy}${comment ? ` · ${comment}` : ''}`,
      },
      { kind: 'actions', actions: [{ label: 'Unsilence', command: `unsilence ${s.id}`, style: 'danger' }] },
    );
  },
};

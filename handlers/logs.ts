/**
 * `logs <pod> [--previous] [--tail N] [--container C]`: the tail of a container's log, read
 * through `pods/log`, capped to fit a chat message and neutralised (no mass mentions or links).
 */
import { assertNamespace } from '../chat/authz.ts';
import { UserError } from '../core/errors.ts';
import { reply } from '../core/reply.ts';
import { neutralise } from '../alerts/render/notification.ts';
import { kubeOf, requirePod } from './kube-lookup.ts';
import type { Handler } from './types.ts';

const DEFAULT_TAIL = 20;
const MAX_TAIL = 100;
const MAX_CHARS = 3000;

function parse(args: string[]): { pod: string; previous: boolean; tail: number; container?: string } {
  let pod = '';
  let previous = false;
  let tail = DEFAULT_TAIL;
  let container: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--previous' || a === '-p') previous = true;
    else if (a === '--tail' || a.startsWith('--tail=')) {
      const v = a.includes('=') ? a.slice(7) : args[++i];
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UserError('--tail needs a number of lines, e.g. `--tail 50`');
      tail = Math.min(n, MAX_TAIL);
    } else if (a === '--container' || a === '-c') container = args[++i];
    else if (!pod) pod = a;
    else throw new UserError(`unexpected \`${a}\`; usage: logs <pod> [--previous] [--tail N]`);
  }
  if (!pod) throw new UserError('usage: logs <pod> [--previous] [--tail N]');
  return { pod, previous, tail, ...(container ? { container } : {}) };
}

export const logs: Handler = {
  name: 'logs',
  role: 'viewer',
  usage: 'logs <pod> [--previous] [--tail N]',
  summary: "the tail of a pod's log (--previous: the container instance before the current one)",
  async run(ctx) {
    const kube = await kubeOf(ctx);
    const opts = parse(ctx.args);
    const { pod } = requirePod(kube.cache, opts.pod);
    const ns = pod.metadata.namespace;
    assertNamespace(ctx.user, ns);
    const container = opts.container ?? pod.containers[0]?.name;
    if (opts.container && !pod.containers.some((c) => c.name === opts.container))
      throw new UserError(
        `pod ${ns}/${pod.metadata.name} has no container ${opts.container} (${pod.containers.map((c) => c.name).join(', ')})`,
      );
    let text: string;
    try {
      text = await kube.podLog(ns, pod.metadata.name, {
        ...(container ? { container } : {}),
        previous: opts.previous,
        tailLines: opts.tail,
        limitBytes: MAX_CHARS * 4,
      });
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code === 400 && opts.previous)
        throw new UserError(`container ${container ?? ''} of ${ns}/${pod.metadata.name} has not restarted: there is no previous log`, {
          cause: err,
        });
      if (code === 403) throw new UserError('firstmate may not read pod logs here (RBAC: pods/log get)', { cause: err });
      throw err;
    }
    const lines = neutralise(text.length > MAX_CHARS ? text.slice(-MAX_CHARS) : text).trimEnd();
    return reply(
      {
        kind: 'heading',
        text: `logs ${ns}/${pod.metadata.name}${container ? ` (${container})` : ''}${opts.previous ? ', previous instance' : ''}`,
      },
      { kind: 'text', text: lines || '(empty)' },
      { kind: 'context', text: `last ${opts.tail} line(s)${text.length > MAX_CHARS ? `, cut to ${MAX_CHARS} characters` : ''}` },
    );
  },
};

/** Shared by the operation commands: the ops service, who asks and where, and `--override <name>`. */
import { UserError } from '../core/errors.ts';
import type { Actor, OpsService, Origin } from '../ops/index.ts';
import { kubeOf } from './kube-lookup.ts';
import type { CommandContext } from './types.ts';

export async function opsOf(ctx: CommandContext): Promise<OpsService> {
  await kubeOf(ctx);
  const ops = ctx.services.ops;
  if (!ops) throw new UserError('operations are not enabled on this bot');
  return ops;
}

export const actorOf = (ctx: CommandContext): Actor => ({
  id: ctx.user.id,
  name: ctx.user.name,
  role: ctx.user.role,
  namespaces: ctx.user.namespaces,
});

export const originOf = (ctx: CommandContext): Origin => ({ platform: ctx.identity.platform, channelId: ctx.identity.channelId });

/** The target and the red lines to override: `<target> [--override <name>]...`. */
export function parseOpArgs(ctx: CommandContext, usage: string): { target: string; overrides: string[] } {
  const overrides: string[] = [];
  let target: string | undefined;
  for (let i = 0; i < ctx.args.length; i++) {
    const a = ctx.args[i]!;
    if (a === '--override') {
      const name = ctx.args[++i];
      if (!name) throw new UserError(`\`--override\` needs a red line name; usage: ${usage}`);
      overrides.push(name);
    } else if (a.startsWith('--override=')) overrides.push(a.slice('--override='.length));
    else if (target === undefined) target = a;
    else throw new UserError(`unexpected \`${a}\`; usage: ${usage}`);
  }
  if (!target) throw new UserError(`usage: ${usage}`);
  return { target, overrides };
}

/**
 * `demo fail-node <node>`, `demo oom <ns/pod>`, `demo split <percent>`, `demo recover`: drive
 * the simulated cluster's scenarios. Registered only when the demo scenarios are present
 * (`firstmate demo`); elsewhere the command does not exist.
 */
import { reply } from '../core/reply.ts';
import { UserError } from '../core/errors.ts';
import type { CommandContext, DemoScenarios, Handler } from './types.ts';

const USAGE = 'demo fail-node <node> | demo oom <ns/pod> | demo split <percent> | demo recover';

async function act(demo: DemoScenarios, args: string[]): Promise<string> {
  const [what = '', arg = ''] = args;
  switch (what.toLowerCase()) {
    case 'fail-node':
      if (!arg) throw new UserError('usage: demo fail-node <node>, e.g. `demo fail-node node-17`');
      return demo.failNode(arg);
    case 'oom': {
      const slash = arg.indexOf('/');
      if (slash <= 0) throw new UserError('usage: demo oom <namespace/pod>, e.g. `demo oom payments/mysql-1`');
      return demo.oom(arg.slice(0, slash), arg.slice(slash + 1));
    }
    case 'split': {
      const percent = Number(arg.replace(/[%％]$/, ''));
      if (!arg || !Number.isFinite(percent)) throw new UserError('usage: demo split <percent>, e.g. `demo split 40%`');
      return demo.split(percent);
    }
    case 'recover':
      return demo.recover();
    default:
      throw new UserError(`usage: ${USAGE}`);
  }
}

export const demo: Handler = {
  name: 'demo',
  role: 'anyone',
  usage: USAGE,
  summary: 'drive the simulated cluster: fail a node, OOM-kill a pod, split the network, recover',
  async run(ctx: CommandContext) {
    const scenarios = ctx.services.demo;
    if (!scenarios) throw new UserError('demo scenarios exist only in `firstmate demo`');
    try {
      return reply({ kind: 'text', text: await act(scenarios, ctx.args) });
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError((err as Error).message, { cause: err });
    }
  },
};

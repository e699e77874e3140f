import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Router } from '../router.ts';
import { renderText } from '../../platforms/console/render-text.ts';

/**
 * The terminal chat: one command per line on `input`, the rendered reply on `output`. Works
 * with a TTY (prompt, history) and with a pipe (lines answered in order; end of input stops
 * reading, the process keeps serving). `stop()` waits for the command in progress.
 */
export function createConsoleChat(opts: { router: Router; input: Readable; output: Writable; user: string; interactive: boolean }) {
  const { router, input, output, user, interactive } = opts;
  let rl: Interface | undefined;
  let chain: Promise<void> = Promise.resolve();
  const prompt = () => {
    if (interactive) rl?.prompt();
  };
  return {
    name: 'console-chat',
    async start(): Promise<void> {
      rl = createInterface({ input, output: interactive ? output : undefined, terminal: interactive, prompt: 'firstmate> ' });
      rl.on('line', (line) => {
        if (!line.trim()) return prompt();
        chain = chain.then(async () => {
          const reply = await router.handle({ platform: 'console', userId: user, displayName: user, channelId: 'console' }, line);
          output.write(`${renderText(reply)}\n`);
          prompt();
        });
      });
      if (interactive) output.write('firstmate console: type `help` for commands, Ctrl-D to stop typing.\n');
      prompt();
    },
    async stop(): Promise<void> {
      rl?.close();
      await chain;
    },
  };
}

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const binPath = fileURLToPath(new URL('../../bin/firstmate.js', import.meta.url));

/** A running `firstmate` process with its output collected, for end-to-end CLI tests. */
export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves when `pattern` appears on the stream (stdout by default). */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runCli(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string } = {}): CliProcess {
  const env = Object.fromEntries(Object.entries({ ...process.env, LOG_LEVEL: 'info', ...opts.env }).filter(([, v]) => v !== undefined));
  const child = spawn(process.execPath, [binPath, ...args], { cwd: opts.cwd, env });
  const out = { stdout: '', stderr: '' };
  const waiters: Array<() => void> = [];
  const onData = (stream: 'stdout' | 'stderr') => (d: Buffer) => {
    out[stream] += d.toString();
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.on('data', onData('stdout'));
  child.stderr.on('data', onData('stderr'));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => {
      r({ code, signal });
      for (const w of waiters.splice(0)) w();
    }),
  );
  return {
    child,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    exited,
    waitFor(pattern, stream = 'stdout', timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const deadline = setTimeout(
          () =>
            reject(
              new Error(
                `timed out waiting for ${pattern} on ${stream}; got:\n${out[stream].slice(-2000)}\nstderr:\n${out.stderr.slice(-2000)}`,
              ),
            ),
          timeoutMs,
        );
        const check = () => {
          const m = out[stream].match(pattern);
          if (m) {
            clearTimeout(deadline);
            resolve(m);
          } else if (child.exitCode !== null) {
            clearTimeout(deadline);
            reject(new Error(`process exited (${child.exitCode}) before ${pattern}; stderr:\n${out.stderr.slice(-2000)}`));
          } else {
            waiters.push(check);
          }
        };
        check();
      });
    },
  };
}

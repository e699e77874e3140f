import cluster from 'node:cluster';
import type { Logger } from '../core/logger.ts';

/**
 * Runs `run` in `n` processes sharing the listening port (node:cluster): the primary forks them,
 * restarts one that dies after it was listening, exits 1 when one fails to start (it printed why),
 * and on SIGTERM/SIGINT passes the signal on and exits once all have stopped. With `n` = 1, or
 * inside a forked process, `run` runs here.
 */
export async function runProcesses(n: number, logger: Logger, run: () => Promise<void>): Promise<void> {
  if (n <= 1 || !cluster.isPrimary) return run();
  let stopping = false;
  const fork = () => cluster.fork();
  for (let i = 0; i < n; i++) fork();
  const listening = new Set<number>();
  cluster.on('listening', (worker) => listening.add(worker.id));
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(process.exitCode ?? 0);
      return;
    }
    if (!listening.has(worker.id)) {
      stop('SIGTERM');
      process.exitCode = 1;
      return;
    }
    logger.warn({ pid: worker.process.pid, code, signal }, 'intake process exited; starting another');
    fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  logger.info({ processes: n }, 'started intake processes');
}

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';

/** A Redis the process can use, and how to let go of it (stops a private server we started). */
export interface RedisEndpoint {
  url: string;
  /** Set when we started a private `redis-server`. */
  privateServer?: { pid: number; dir: string };
  stop(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/** Answers true when a Redis server replies to PING at `url` within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Finds the Redis to use: `url` when it answers; otherwise, when `embedded` is allowed and
 * `redis-server` is installed, a private instance with its data under `dataDir`.
 */
export async function ensureRedis(opts: { url: string; embedded: boolean; dataDir: string }): Promise<RedisEndpoint> {
  if (await redisAnswers(opts.url)) return { url: opts.url, stop: async () => {} };
  if (!opts.embedded) throw new RedisUnavailableError(`Redis does not answer at ${redactUrl(opts.url)}: start it or set REDIS_URL`);
  if (!redisServerInstalled()) {
    throw new RedisUnavailableError(
      `Redis does not answer at ${redactUrl(opts.url)} and redis-server is not installed: install it (apt-get install redis-server) or set REDIS_URL`,
    );
  }
  return startPrivateRedis({ dir: resolve(opts.dataDir, 'redis') });
}

/** Starts `redis-server` on a free loopback port with AOF persistence under `dir`. */
export async function startPrivateRedis(opts: {
  dir: string;
  port?: number;
  appendonly?: boolean;
}): Promise<RedisEndpoint & { port: number; child: ChildProcess }> {
  mkdirSync(opts.dir, { recursive: true });
  stopStale(join(opts.dir, 'redis.pid'));
  const port = opts.port ?? (await freePort());
  // Its own process group: a Ctrl-C in the terminal must not kill it before we have drained.
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      opts.dir,
      '--pidfile',
      join(opts.dir, 'redis.pid'),
      '--appendonly',
      opts.appendonly === false ? 'no' : 'yes',
      '--save',
      '',
      '--daemonize',
      'no',
      '--protected-mode',
      'yes',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers(url, 300))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new RedisUnavailableError(
        `private redis-server did not start on port ${port}: ${output.trim().split('\n').slice(-3).join(' | ')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  return { url, port, child, privateServer: { pid: child.pid ?? 0, dir: opts.dir }, stop };
}

/** A private server left behind by a process that was killed outright is stopped before a new one starts. */
function stopStale(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  try {
    if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('redis-server')) process.kill(pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

/** Deletes every key under `prefix` (SCAN, so a large keyspace never blocks Redis). */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const r = new Redis(url, { maxRetriesPerRequest: 2 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/** Options every long-lived connection uses; BullMQ workers need `maxRetriesPerRequest: null`. */
export function createRedisClient(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
}

export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]+@/, '$1***@');
}

/** A TCP port free on the loopback interface right now. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

/**
 * firstmate and Prometheus Alertmanager side by side, in one run, on this machine. Both get the
 * same request bodies on `/api/v2/alerts` (what Prometheus posts) from a load generator in its own
 * process (`ingest-client.ts`); firstmate runs as `firstmate start --role intake` plus `--role
 * worker` processes on a private redis-server; Alertmanager with `group_by [alertname, namespace]`
 * and a receiver without integrations. The headline is alerts *drained*: accepted and stored in
 * group state (firstmate: counted in Redis; Alertmanager stores before it answers, counted on its
 * /metrics). Without Alertmanager the run says so and prints firstmate's figures alone.
 *
 * On a shared machine the wall-clock rates depend on what else runs (the Go peer's threads get
 * more of a contended CPU than Node's one thread), so every throughput figure also comes per CPU
 * second: alerts drained per second of CPU used by all processes of the system (firstmate: intake,
 * workers and its Redis).
 *
 * Figures (one JSON line each; `ratio` = firstmate / Alertmanager, or Alertmanager / firstmate
 * for latencies and memory, so above 1 is always firstmate ahead):
 * - `batched_drained_alerts_per_s` (100 alerts per request) and `single_drained_alerts_per_s`
 *   (1 per request), once per Redis persistence mode (`aof`: no, everysec): each system's median
 *   of `--repeat` runs (`runs` lists them), and as `ratio` the median of the turns' ratios
 *   (`turn_ratios`: each turn runs both systems back to back);
 * - `burst_accept_to_notified_ms`: a new group per request at `--rate`/s, group_wait 0, p50/p99
 *   from sending the request to the notification at a webhook receiver; for firstmate also
 *   `decision_p50`/`decision_p99`, from accepting the alert to its group's first flush decision
 *   (read back from the incidents in Redis), and `cpu_ms_per_group_each`, the CPU per new group of
 *   each process. Measured after `--warmup` seconds of the same load (both systems), as on a
 *   system that has been running; `first_burst` gives the same figures for the first 2 s of it,
 *   right after the start;
 * - `sustained_drained_alerts_per_s`: unique alerts until `--open` are open, the drained rate
 *   at 0, half and all of them, then `memory_at_open` (RSS of every firstmate process + Redis
 *   memory vs Alertmanager's RSS).
 *
 * Options: --seconds N per phase (10), --clients N (32) over --loaders N processes (2), --rate N (500), --open N (1000000),
 * --intake N intake processes (1), --workers N worker processes (1), --warmup S seconds of burst
 * load before the measured burst (15), --repeat N runs of each throughput phase per system, taking
 * turns, each on both systems started afresh, the median run being the figure (3), --aof no,everysec,
 * --phases batched,single,burst,sustained, --peer none (firstmate only), --dist (run the compiled
 * build from `npm run build`, as production does, instead of the sources through tsx), --profile
 * DIR (CPU profiles of firstmate's processes, written to DIR when they stop).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { pipelineKeys } from '../alerts/pipeline/keys.ts';
import { freePort, startPrivateRedis } from '../app/redis.ts';
import { benchArgs } from './args.ts';
import type { LoadJob } from './ingest-client.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const AM_BINARIES = ['/usr/bin/prometheus-alertmanager', '/usr/local/bin/alertmanager', '/usr/bin/alertmanager'];
const PREFIX = '{fm-bench}';
/** firstmate's intake takes no deliveries without a source token (Alertmanager has none to check). */
const TOKEN = 'bench-intake-token';

interface Opts {
  seconds: number;
  clients: number;
  rate: number;
  open: number;
  intake: number;
  workers: number;
  /** Seconds of burst load before the measured burst. */
  warmup: number;
  /** Runs of each throughput phase per system, taking turns (the median is the figure). */
  repeat: number;
  /** Load generator processes for the throughput phases. */
  loaders: number;
  aof: string[];
  phases: string[];
  peer: boolean;
  /** Run the compiled build (`npm run build` first) instead of the sources through tsx. */
  dist: boolean;
  /** Where firstmate's processes write CPU profiles ('' = none). */
  profile: string;
}

function parseOptions(args: string[]): Opts {
  const { numbers, strings, flags } = benchArgs(
    { seconds: 10, clients: 32, rate: 500, open: 1_000_000, intake: 1, workers: 1, loaders: 2, warmup: 15, repeat: 3 },
    { args, strings: { aof: 'no,everysec', phases: 'batched,single,burst,sustained', peer: 'alertmanager', profile: '' }, flags: ['dist'] },
  );
  return {
    ...numbers,
    aof: strings.aof.split(','),
    phases: strings.phases.split(','),
    peer: strings.peer !== 'none',
    dist: flags.has('dist'),
    profile: strings.profile,
  };
}

const emit = (figure: string, fields: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ bench: 'side-by-side', figure, ...fields })}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (v: number) => Math.round(v);
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? +(a / b).toFixed(2) : null);

/** Spawns and resolves once `ready` appears on stderr (or stdout). */
function spawnUntil(cmd: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp, what: string): Promise<ChildProcess> {
  const child = spawn(cmd, args, { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not start: ${seen.slice(-1500)}`)), 60_000);
    const on = (d: Buffer) => {
      seen = (seen + d.toString()).slice(-20_000);
      if (ready.test(seen)) {
        clearTimeout(t);
        resolve(child);
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', (code) => reject(new Error(`${what} exited ${code}: ${seen.slice(-1500)}`)));
  });
}

/** Pids of a process and all its descendants. */
function tree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

/** CPU time (user + system, ms) a process and its descendants used so far. */
function treeCpuMs(pid: number): number {
  let ticks = 0;
  for (const p of tree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // Gone meanwhile.
    }
  }
  return ticks * 10;
}

/** Resident memory of a process and all its descendants (bytes). */
function treeRss(pid: number): number {
  let total = 0;
  for (const p of tree(pid)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      total += Number(m?.[1] ?? 0) * 1024;
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

interface Target {
  name: 'firstmate' | 'alertmanager';
  /** Alertmanager stores before it answers (and counting on its /metrics walks every alert). */
  storesOnAccept: boolean;
  url: string;
  /** Bearer token the load generator sends. */
  bearer?: string;
  /** Alerts stored so far (drained). */
  stored(): Promise<number>;
  rss(): number;
  /** RSS per process (firstmate: intake, workers). */
  rssEach(): number[];
  /** CPU time used so far (ms) by every process of the target (firstmate: with its Redis). */
  cpuMs(): number;
  /** The same per process (firstmate: intake, workers…, redis). */
  cpuEachMs(): number[];
  /** Redis memory (firstmate only). */
  redisMemory?(): Promise<number>;
  /** Accept→decision latencies (ms) of the incidents opened for the groups `Burst<from>` … `Burst<from + count - 1>` (firstmate only). */
  decisions?(from: number, count: number): Promise<number[]>;
  stop(): Promise<void>;
}

function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
    c.once('exit', () => {
      clearTimeout(t);
      r();
    });
    c.kill('SIGTERM');
  });
}

async function startFirstmate(o: Opts, aof: boolean, hookPort: number): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'fm-bench-'));
  const redisServer = await startPrivateRedis({ dir: join(dir, 'redis'), appendonly: aof });
  writeFileSync(
    join(dir, 'firstmate.yaml'),
    [
      'server: { host: 127.0.0.1, bodyLimitBytes: 8388608 }',
      'alerts:',
      '  route:',
      '    receiver: quiet',
      '    group_by: [alertname, namespace]',
      '    group_wait: 1h',
      '    group_interval: 1h',
      '    repeat_interval: 24h',
      `    routes: [{ matchers: ['alertname=~"Burst.*"'], receiver: hook, group_wait: "0", group_interval: 1h }]`,
      '  receivers:',
      '    - { name: quiet, console: true }',
      `    - { name: hook, webhook: { url: "http://127.0.0.1:${hookPort}/firstmate" } }`,
      `  sources: { tokens: { prometheus: [${TOKEN}] } }`,
      '  limits: { backlog: 1000000 }',
      '  workers: { sampleEvery: "0" }',
    ].join('\n'),
  );
  const port = await freePort();
  const env = {
    ...process.env,
    REDIS_URL: redisServer.url,
    FIRSTMATE_REDIS_PREFIX: PREFIX,
    FIRSTMATE_KUBE_MODE: 'off',
    FIRSTMATE_CONFIG: join(dir, 'firstmate.yaml'),
    LOG_LEVEL: 'info',
  };
  const bin = o.dist ? join(root, 'dist', 'app', 'main.js') : join(root, 'bin', 'firstmate.js');
  const node = o.profile ? ['--cpu-prof', `--cpu-prof-dir=${o.profile}`, bin] : [bin];
  const started = /firstmate started/;
  const procs: ChildProcess[] = [];
  const intake = await spawnUntil(
    process.execPath,
    [...node, 'start', '--role', 'intake', '--processes', String(o.intake)],
    { ...env, PORT: String(port) },
    new RegExp(`(${started.source}[\\s\\S]*){${o.intake}}`),
    'firstmate intake',
  );
  procs.push(intake);
  for (let i = 0; i < o.workers; i++) {
    procs.push(
      await spawnUntil(
        process.execPath,
        [...node, 'start', '--role', 'worker'],
        { ...env, PORT: String(await freePort()) },
        started,
        'worker',
      ),
    );
  }
  const redis = new Redis(redisServer.url);
  const keys = pipelineKeys(PREFIX);
  return {
    name: 'firstmate',
    storesOnAccept: false,
    url: `http://127.0.0.1:${port}/api/v2/alerts`,
    bearer: TOKEN,
    async stored() {
      const groups = await redis.smembers(keys.groups);
      const p = redis.pipeline();
      for (const gk of groups) p.hlen(keys.groupAlerts(gk));
      const res = (await p.exec()) ?? [];
      return res.reduce((n, [, v]) => n + Number(v ?? 0), 0);
    },
    rss: () => procs.reduce((n, c) => n + treeRss(c.pid!), 0),
    rssEach: () => procs.map((c) => treeRss(c.pid!)),
    cpuMs: () => procs.reduce((n, c) => n + treeCpuMs(c.pid!), treeCpuMs(redisServer.child.pid!)),
    cpuEachMs: () => [...procs.map((c) => treeCpuMs(c.pid!)), treeCpuMs(redisServer.child.pid!)],
    async redisMemory() {
      const info = await redis.info('memory');
      return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
    },
    async decisions(from, count) {
      // An incident opens at its group's first decision; its notification carries when the
      // earliest of its alerts was accepted.
      const ids = await redis.zrange(keys.incidents, '0', '-1');
      const read = redis.pipeline();
      for (const id of ids) read.hmget(keys.incident(id), 'openedAt', 'last');
      const out: number[] = [];
      for (const [, v] of (await read.exec()) ?? []) {
        const [openedAt, last] = v as [string | null, string | null];
        const n = last ? (JSON.parse(last) as { acceptedAt?: string; groupLabels: Record<string, string> }) : undefined;
        const burst = /^Burst(\d+)$/.exec(n?.groupLabels.alertname ?? '');
        const i = burst ? Number(burst[1]) - from : -1;
        if (openedAt && n?.acceptedAt && i >= 0 && i < count) out.push(Number(openedAt) - Date.parse(n.acceptedAt));
      }
      return out;
    },
    async stop() {
      await Promise.all(procs.map(stopChild));
      redis.disconnect();
      await redisServer.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function alertmanagerBinary(): string | undefined {
  return AM_BINARIES.find((b) => existsSync(b));
}

async function startAlertmanager(bin: string, hookPort: number): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'fm-bench-am-'));
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    [
      'route:',
      "  receiver: 'null'",
      '  group_by: [alertname, namespace]',
      '  group_wait: 1h',
      '  group_interval: 1h',
      '  repeat_interval: 24h',
      `  routes: [{ matchers: ['alertname=~"Burst.*"'], receiver: hook, group_wait: 0s, group_interval: 1h }]`,
      'receivers:',
      "  - name: 'null'",
      `  - { name: hook, webhook_configs: [{ url: "http://127.0.0.1:${hookPort}/alertmanager", send_resolved: false }] }`,
    ].join('\n'),
  );
  const port = await freePort();
  const child = await spawnUntil(
    bin,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${dir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=info',
    ],
    process.env,
    /Listening on|listening/i,
    'alertmanager',
  );
  const base = `http://127.0.0.1:${port}`;
  return {
    name: 'alertmanager',
    storesOnAccept: true,
    url: `${base}/api/v2/alerts`,
    async stored() {
      const text = await (await fetch(`${base}/metrics`)).text();
      let n = 0;
      for (const m of text.matchAll(/^alertmanager_alerts\{state="\w+"\} (\S+)$/gm)) n += Number(m[1]);
      return n;
    },
    rss: () => treeRss(child.pid!),
    rssEach: () => [treeRss(child.pid!)],
    cpuMs: () => treeCpuMs(child.pid!),
    cpuEachMs: () => [treeCpuMs(child.pid!)],
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the load generator in its own process; `onLine` sees every progress line. */
function load(job: LoadJob, onLine?: (v: Record<string, number>) => void): Promise<Record<string, number>> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'ingest-client.ts')], {
    cwd: root,
    env: { ...process.env, FM_LOAD: JSON.stringify(job) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buf = '';
  let last: Record<string, number> = {};
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, i)) as Record<string, number>;
      buf = buf.slice(i + 1);
      if ('progress' in line) onLine?.(line);
      else last = line;
    }
  });
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve(last) : reject(new Error(`load generator exited ${code}`)))),
  );
}

/** Waits until `target` stored `expected` alerts; answers the ms it took (Infinity on timeout). */
async function drained(target: Target, expected: number, timeoutMs = 300_000): Promise<{ ms: number; stored: number }> {
  const t0 = performance.now();
  let stored = 0;
  while (performance.now() - t0 < timeoutMs) {
    stored = await target.stored();
    if (stored >= expected) return { ms: performance.now() - t0, stored };
    await sleep(20);
  }
  return { ms: Infinity, stored };
}

let offset = 0;
const nextOffset = (n: number) => {
  const o = offset;
  offset += n;
  return o;
};

/** Closed-loop load at `perRequest` alerts per request; drained alerts per second. */
async function throughput(t: Target, o: Opts, perRequest: number) {
  const before = await t.stored();
  const cpu0 = t.cpuMs();
  const each0 = t.cpuEachMs();
  // Several load generator processes, so the generator is not what limits either system.
  const parts = await Promise.all(
    Array.from({ length: o.loaders }, () =>
      load({
        mode: 'closed',
        url: t.url,
        bearer: t.bearer,
        perRequest,
        clients: Math.ceil(o.clients / o.loaders),
        seconds: o.seconds,
        offset: nextOffset(10_000_000),
      }),
    ),
  );
  const r = {
    ok: parts.reduce((n, p) => n + p.ok!, 0),
    other: parts.reduce((n, p) => n + p.other!, 0),
    alerts: parts.reduce((n, p) => n + p.alerts!, 0),
    ms: Math.max(...parts.map((p) => p.ms!)),
  };
  const d = await drained(t, before + r.alerts);
  const cpu = t.cpuMs() - cpu0;
  const each = t.cpuEachMs().map((v, i) => +((v - each0[i]!) / 1000).toFixed(1));
  // Alertmanager has stored what it answered (checked above): its time is the load's.
  const ms = r.ms + (t.storesOnAccept ? 0 : d.ms);
  return {
    drained_per_s: round((d.stored - before) / (ms / 1000)),
    drained_per_cpu_s: round((d.stored - before) / (cpu / 1000)),
    cpu_s: +(cpu / 1000).toFixed(1),
    cpu_s_each: each,
    accepted_per_s: round(r.alerts / (r.ms / 1000)),
    requests_per_s: round(r.ok / (r.ms / 1000)),
    accepted: r.alerts,
    stored: d.stored - before,
    refused: r.other,
    drain_tail_ms: Number.isFinite(d.ms) ? round(d.ms) : null,
  };
}

type Throughput = Awaited<ReturnType<typeof throughput>>;

/** The median of `values` by `of` (the upper one of an even count). */
const median = <T>(values: T[], of: (v: T) => number): T => [...values].sort((x, y) => of(x) - of(y))[Math.floor(values.length / 2)]!;

/** The p-th percentile of `values` (sorted here). */
const percentile = (values: number[], p: number) => {
  const v = [...values].sort((a, b) => a - b);
  return v.length > 0 ? v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))]! : null;
};

/**
 * A burst of new groups at `o.rate`/s for `seconds`: accept→notified (and for firstmate
 * accept→decision) latencies and the CPU per new group of each process.
 */
async function burst(t: Target, o: Opts, hookPort: number, seconds: number) {
  const offset = nextOffset(10_000_000);
  const cpu0 = t.cpuEachMs();
  const notified = await load({
    mode: 'paced',
    url: t.url,
    bearer: t.bearer,
    perRequest: 1,
    clients: o.clients,
    seconds,
    rate: o.rate,
    receiverPort: hookPort,
    offset,
  });
  const cpu = t.cpuEachMs().map((v, i) => v - cpu0[i]!);
  const decided = (await t.decisions?.(offset, notified.groups ?? 0)) ?? [];
  return {
    ...notified,
    p50: notified.p50 ?? null,
    p99: notified.p99 ?? null,
    // CPU per new group of each process (firstmate: intake…, workers…, Redis), in ms.
    cpu_ms_per_group_each: cpu.map((v) => +(v / Math.max(1, notified.groups ?? 0)).toFixed(3)),
    ...(t.decisions ? { decision_p50: percentile(decided, 50), decision_p99: percentile(decided, 99), decided: decided.length } : {}),
  };
}

/**
 * The burst phase. A first burst right after the start (2 s) runs code paths the processes have
 * not run yet, and a Node process compiles its hot functions while it runs them (a third of the
 * worker's CPU in that burst went to compiling). The measured burst comes after `--warmup`
 * seconds of such load in all, as on a system that has been running; the first is printed too.
 */
async function bursts(t: Target, o: Opts, hookPort: number) {
  const first = await burst(t, o, hookPort, 2);
  if (o.warmup > 2) await burst(t, o, hookPort, o.warmup - 2);
  const measured = await burst(t, o, hookPort, Math.min(o.seconds, 5));
  const { p50, p99, decision_p99, cpu_ms_per_group_each } = first;
  return { ...measured, first_burst: { p50, p99, ...(decision_p99 !== undefined ? { decision_p99 } : {}), cpu_ms_per_group_each } };
}

/** Unique alerts until `o.open` are open; drained rate over the first, middle and last tenth. */
async function sustained(t: Target, o: Opts) {
  const samples: Array<{ at: number; stored: number }> = [];
  const base = await t.stored();
  let done = false;
  const poll = (async () => {
    while (!done && !t.storesOnAccept) {
      samples.push({ at: performance.now(), stored: (await t.stored()) - base });
      await sleep(250);
    }
  })();
  const start = performance.now();
  const r = await load(
    {
      mode: 'count',
      url: t.url,
      bearer: t.bearer,
      perRequest: 100,
      clients: o.clients,
      totalAlerts: o.open,
      progressEvery: Math.max(10_000, Math.round(o.open / 40)),
      offset: nextOffset(o.open),
    },
    (line) => {
      if (t.storesOnAccept) samples.push({ at: start + line.ms!, stored: line.progress! });
    },
  );
  const d = await drained(t, base + r.alerts!);
  done = true;
  await poll;
  samples.push({ at: performance.now(), stored: d.stored - base });
  samples.sort((x, y) => x.at - y.at);
  /** Drained per second between the last sample at or below `from` and the first at or above `to`. */
  const rateAround = (from: number, to: number) => {
    const a = samples.filter((s) => s.stored <= from * o.open).pop() ?? samples[0]!;
    const b = samples.find((s) => s.at > a.at && s.stored >= to * o.open) ?? samples[samples.length - 1]!;
    return b.at > a.at ? round((b.stored - a.stored) / ((b.at - a.at) / 1000)) : null;
  };
  return {
    at_0: rateAround(0, 0.1),
    at_half: rateAround(0.45, 0.55),
    at_full: rateAround(0.9, 1),
    open: d.stored - base,
    rss: t.rss(),
    rssEach: t.rssEach(),
    redis: (await t.redisMemory?.()) ?? 0,
  };
}

export async function main(args: string[]): Promise<void> {
  const o = parseOptions(args);
  const amBin = o.peer ? alertmanagerBinary() : undefined;
  emit('environment', {
    cpus: availableParallelism(),
    loadavg: loadavg().map((l) => +l.toFixed(2)),
    node: process.version,
    alertmanager: amBin ?? (o.peer ? 'not installed (apt-get install prometheus-alertmanager): firstmate figures only' : 'off'),
    firstmate: o.dist ? 'dist/app/main.js' : 'bin/firstmate.js (tsx)',
    options: o,
  });
  const phases = (
    [
      ['batched', 100],
      ['single', 1],
    ] as const
  ).filter(([phase]) => o.phases.includes(phase));
  for (const [pass, mode] of o.aof.entries()) {
    const last = pass === o.aof.length - 1;
    // The two systems take turns, `--repeat` times, each turn on both started afresh (no turn runs
    // on the open alerts an earlier one left): a slow spell of the machine then shows in both
    // runs of a turn, and the ratio is the median of the turns' ratios.
    const turns = new Map(phases.map(([phase]) => [phase, { fs: [] as Throughput[], as: [] as Throughput[] }]));
    const count = phases.length > 0 ? o.repeat : 1;
    for (let turn = 0; turn < count; turn++) {
      const final = turn === count - 1;
      const hookPort = await freePort();
      const fm = await startFirstmate(o, mode !== 'no', hookPort);
      const am = amBin ? await startAlertmanager(amBin, hookPort) : undefined;
      try {
        for (const [phase, perRequest] of phases) {
          const runs = turns.get(phase)!;
          runs.fs.push(await throughput(fm, o, perRequest));
          if (am) runs.as.push(await throughput(am, o, perRequest));
          if (!final) continue;
          const f = median(runs.fs, (r) => r.drained_per_s);
          const a = am ? median(runs.as, (r) => r.drained_per_s) : undefined;
          // The ratio compares each turn's two runs, made back to back, and takes the median turn.
          const turnRatios = (of: (r: Throughput) => number) => runs.fs.map((r, i) => ratio(of(r), of(runs.as[i]!)) ?? NaN);
          emit(`${phase}_drained_alerts_per_s`, {
            aof: mode,
            alerts_per_request: perRequest,
            firstmate: { ...f, runs: runs.fs.map((r) => r.drained_per_s) },
            alertmanager: a ? { ...a, runs: runs.as.map((r) => r.drained_per_s) } : null,
            ratio: a
              ? median(
                  turnRatios((r) => r.drained_per_s),
                  (v) => v,
                )
              : null,
            ratio_per_cpu_s: a
              ? median(
                  turnRatios((r) => r.drained_per_cpu_s),
                  (v) => v,
                )
              : null,
            ...(a && o.repeat > 1 ? { turn_ratios: turnRatios((r) => r.drained_per_s) } : {}),
          });
        }
        if (final && last && o.phases.includes('burst')) {
          const f = await bursts(fm, o, hookPort);
          const a = am ? await bursts(am, o, hookPort) : undefined;
          emit('burst_accept_to_notified_ms', {
            aof: mode,
            new_groups_per_s: o.rate,
            firstmate: f,
            alertmanager: a ?? null,
            ratio_p50: a ? ratio(a.p50 ?? NaN, f.p50 ?? NaN) : null,
            ratio_p99: a ? ratio(a.p99 ?? NaN, f.p99 ?? NaN) : null,
          });
        }
        if (final && last && o.phases.includes('sustained')) {
          const f = await sustained(fm, o);
          const a = am ? await sustained(am, o) : undefined;
          emit('sustained_drained_alerts_per_s', {
            aof: mode,
            open_target: o.open,
            firstmate: { at_0: f.at_0, at_half: f.at_half, at_full: f.at_full, open: f.open },
            alertmanager: a ? { at_0: a.at_0, at_half: a.at_half, at_full: a.at_full, open: a.open } : null,
            ratio_at_full: a ? ratio(f.at_full ?? NaN, a.at_full ?? NaN) : null,
            firstmate_drop: f.at_0 && f.at_full ? +(1 - f.at_full / f.at_0).toFixed(2) : null,
          });
          emit('memory_at_open', {
            open: f.open,
            firstmate_rss_mb: round(f.rss / 1048576),
            firstmate_rss_each_mb: f.rssEach.map((b) => round(b / 1048576)),
            redis_used_mb: round(f.redis / 1048576),
            firstmate_total_mb: round((f.rss + f.redis) / 1048576),
            alertmanager_rss_mb: a ? round(a.rss / 1048576) : null,
            ratio: a ? ratio(a.rss, f.rss + f.redis) : null,
          });
        }
      } finally {
        await fm.stop();
        await am?.stop();
      }
    }
  }
  process.exit(0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));

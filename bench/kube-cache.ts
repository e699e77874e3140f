/**
 * Kubernetes cache benchmark against the simulated cluster (5,000 nodes / 150,000 pods by
 * default), with the sim in a child process so its memory does not count:
 *
 *   node --expose-gc --import tsx bench/kube-cache.ts [--nodes 5000] [--pods 150000] [--churn 20000] [--page-size 500]
 *
 * Prints one JSON line per figure: initial sync time, retained heap and RSS after sync (after
 * a GC when `--expose-gc`), `host <ip>` and `pod <ip>` lookup p50/p99 in-process, the rate the
 * reconcilers work through the initial full resync, and the watch-event rate the cache and
 * reconcile loop sustain under pod churn. Needs Redis at REDIS_URL (default 127.0.0.1:6379).
 */
import { spawn } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import type { Alert } from '../alerts/model.ts';
import { deletePrefix } from '../app/redis.ts';
import { hostBlocks } from '../handlers/host.ts';
import { requireNode, requirePod } from '../handlers/kube-lookup.ts';
import { createKube } from '../kube/runtime.ts';
import { benchArgs } from './args.ts';

const args = benchArgs({ nodes: 5000, pods: 150_000, churn: 20_000, 'page-size': 500 }, { flags: ['serve-sim'] });
const { nodes, pods: podCount, churn, 'page-size': pageSize } = args.numbers;
const emit = (figure: string, value: number, unit: string, extra: Record<string, unknown> = {}) =>
  console.log(
    JSON.stringify({ bench: 'kube-cache', figure, value: Math.round(value * 1000) / 1000, unit, nodes, pods: podCount, ...extra }),
  );

async function serveSim(): Promise<void> {
  const { startSim } = await import('../sim/sim.ts');
  const { generateCluster } = await import('../sim/generate-cluster.ts');
  const sim = await startSim({ cluster: generateCluster({ nodes, pods: podCount }), historySize: 200_000 });
  console.log(`URL ${sim.url}`);
  const lines = createInterface(process.stdin);
  lines.on('line', (line) => {
    const [cmd, n] = line.split(' ');
    if (cmd === 'churn') {
      let done = 0;
      for (const p of sim.store.scan('pods')) {
        if (done >= Number(n)) break;
        sim.store.mutate('pods', p.metadata.namespace, p.metadata.name as string, (o) => {
          o.metadata.annotations = { ...o.metadata.annotations, 'bench/churn': String(Date.now()) };
        });
        done++;
      }
      console.log(`CHURNED ${done}`);
    }
    if (cmd === 'exit') void sim.close().then(() => process.exit(0));
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

async function timeLookups(fn: (i: number) => void, n: number): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn(i);
    samples.push((performance.now() - t) * 1000);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

async function main(): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv.filter((a) => a !== '--expose-gc'),
      fileURLToPath(import.meta.url),
      '--serve-sim',
      '--nodes',
      String(nodes),
      '--pods',
      String(podCount),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const out = createInterface(child.stdout);
  const waitLine = (prefix: string) =>
    new Promise<string>((resolve) => {
      const on = (l: string) => {
        if (l.startsWith(prefix)) {
          out.off('line', on);
          resolve(l.slice(prefix.length).trim());
        }
      };
      out.on('line', on);
    });
  const url = await waitLine('URL ');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sim', server: url, skipTLSVerify: true }],
    users: [{ name: 'sim' }],
    contexts: [{ name: 'sim', cluster: 'sim', user: 'sim' }],
    currentContext: 'sim',
  });
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(redisUrl);
  const prefix = `bench:kube:${process.pid}:`;
  const alerts: Alert[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const kube = createKube({
    kubeConfig: kc,
    redis,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    sink: { emit: async (a) => void alerts.push(...a) },
    options: { redisPrefix: prefix, leaderElection: { enabled: false }, resyncIntervalMs: 0, workers: 16, pageSize },
  });
  let cacheEvents = 0;
  kube.cache.onChange(() => void cacheEvents++);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await kube.start();
  await kube.waitForSync();
  const syncMs = performance.now() - t0;
  const syncCpu = process.cpuUsage(cpu0);
  emit('initial_sync', syncMs / 1000, 's', { objects: cacheEvents, page_size: pageSize, target: '< 60 s' });
  emit('initial_sync_client_cpu', (syncCpu.user + syncCpu.system) / 1e6, 's', {
    what: 'CPU this process spent on list, parse, compaction and indexes; the rest of the wall time is the simulated API server',
  });
  emit('cache_objects', kube.cache.podCount, 'pods', { nodes_cached: kube.cache.nodeCount });

  const reconcileStart = performance.now();
  const total = () => Object.values(kube.reconciled()).reduce((s, n) => s + n, 0);
  let last = -1;
  let lastChange = performance.now();
  while (performance.now() - lastChange < 1000) {
    if (total() !== last) {
      last = total();
      lastChange = performance.now();
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const resyncSeconds = (lastChange - reconcileStart) / 1000;
  emit('initial_resync_reconciles_per_s', last / resyncSeconds, 'reconciles/s', {
    reconciles: last,
    seconds: Math.round(resyncSeconds * 10) / 10,
    by_controller: kube.reconciled(),
  });

  gc?.();
  const mem = process.memoryUsage();
  emit('heap_retained_after_sync', (mem.heapUsed - heap0) / 2 ** 20, 'MiB', { gc: Boolean(gc) });
  emit('rss_after_sync', mem.rss / 2 ** 20, 'MiB', { target: '< 1024 MiB', gc: Boolean(gc) });

  const nodeIPs = [...kube.cache.nodes()].map((n) => n.addresses[0]!.address);
  const podIPs: string[] = [];
  for (const p of kube.cache.pods()) if (podIPs.length < 50_000) podIPs.push(p.podIP);
  let gcPauses = 0;
  const gcObserver = new PerformanceObserver((list) => void (gcPauses += list.getEntries().length));
  gcObserver.observe({ entryTypes: ['gc'] });
  const hostT = await timeLookups((i) => {
    const node = requireNode(kube.cache, nodeIPs[(i * 7919) % nodeIPs.length]!);
    kube.cache.podsOnNode(node.metadata.name);
  }, 100_000);
  emit('host_ip_lookup_p50', hostT.p50, 'µs', { what: 'resolve node by IP + its pods (cache only)' });
  emit('host_ip_lookup_p99', hostT.p99, 'µs', { target: '< 1000 µs' });
  await new Promise((r) => setTimeout(r, 50));
  gcPauses = 0;
  const replyT = await timeLookups(
    (i) => void hostBlocks(kube.cache, requireNode(kube.cache, nodeIPs[(i * 7919) % nodeIPs.length]!)),
    20_000,
  );
  await new Promise((r) => setTimeout(r, 50));
  emit('host_reply_p50', replyT.p50, 'µs', {
    what: 'the whole `host <ip>` reply: lookup, requests %, conditions, pods by namespace, events',
  });
  emit('host_reply_p99', replyT.p99, 'µs', { gc_pauses_during: gcPauses, samples: 20_000 });
  gcObserver.disconnect();
  const podT = await timeLookups((i) => {
    const { pod } = requirePod(kube.cache, podIPs[(i * 7919) % podIPs.length]!);
    kube.cache.workloadOf(pod);
  }, 100_000);
  emit('pod_ip_lookup_p50', podT.p50, 'µs', { what: 'resolve pod by IP + its workload (cache only)' });
  emit('pod_ip_lookup_p99', podT.p99, 'µs', { target: '< 1000 µs' });

  if (churn > 0) {
    const before = cacheEvents;
    const r0 = total();
    const c0 = performance.now();
    const churnCpu0 = process.cpuUsage();
    child.stdin.write(`churn ${churn}\n`);
    await waitLine('CHURNED');
    while (cacheEvents - before < churn) await new Promise((r) => setTimeout(r, 5));
    const applied = performance.now() - c0;
    let prev = -1;
    let changed = performance.now();
    while (performance.now() - changed < 500) {
      if (total() !== prev) {
        prev = total();
        changed = performance.now();
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const drained = changed - c0;
    const churnCpu = process.cpuUsage(churnCpu0);
    const cpuSeconds = (churnCpu.user + churnCpu.system) / 1e6;
    emit('churn_client_capacity', churn / cpuSeconds, 'events/s', {
      what: 'events per CPU second this process spent (watch parse, compaction, indexes, queue, reconcile, Redis I/O)',
      cpu_seconds: Math.round(cpuSeconds * 100) / 100,
    });
    emit('watch_events_applied_per_s', churn / (applied / 1000), 'events/s', {
      events: churn,
      includes: 'sim write + HTTP watch + compaction + indexes',
    });
    emit('churn_events_reconciled_per_s', churn / (drained / 1000), 'events/s', {
      events: churn,
      reconciles: prev - r0,
      seconds: Math.round(drained / 100) / 10,
    });
  }
  emit('alerts_emitted', alerts.length, 'alerts');

  await kube.stop();
  await deletePrefix(redisUrl, prefix);
  await redis.quit();
  child.stdin.write('exit\n');
}

if (args.flags.has('serve-sim')) await serveSim();
else await main();

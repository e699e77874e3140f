/**
 * Simulated API server benchmark: how fast a large cluster is built and loaded, and how fast the
 * server pages through it and fans out watch events.
 *
 *   node --import tsx bench/kube-sim.ts [--nodes 5000] [--pods 150000] [--page-size 500] [--watchers 10] [--updates 5000]
 *
 * Prints one JSON line per figure.
 */
import { Watch, KubeConfig } from '@kubernetes/client-node';
import { generateCluster } from '../sim/generate-cluster.ts';
import { startSim } from '../sim/sim.ts';
import { benchArgs } from './args.ts';

const {
  nodes,
  pods,
  'page-size': pageSize,
  watchers,
  updates,
} = benchArgs({
  nodes: 5000,
  pods: 150_000,
  'page-size': 500,
  watchers: 10,
  updates: 5000,
}).numbers;
const emit = (figure: string, value: number, unit: string): void =>
  console.log(JSON.stringify({ bench: 'kube-sim', figure, value: Math.round(value * 1000) / 1000, unit, nodes, pods }));

let t0 = performance.now();
const cluster = generateCluster({ nodes, pods });
emit('generate', performance.now() - t0, 'ms');
t0 = performance.now();
const sim = await startSim({ cluster, historySize: updates + 1000 });
emit('load_and_settle', performance.now() - t0, 'ms');

t0 = performance.now();
const first = await fetch(`${sim.url}/api/v1/pods?limit=${pageSize}`);
await first.arrayBuffer();
emit('first_page', performance.now() - t0, 'ms');

t0 = performance.now();
let cont = '';
let count = 0;
let pages = 0;
let bytes = 0;
do {
  const res = await fetch(`${sim.url}/api/v1/pods?limit=${pageSize}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
  const text = await res.text();
  bytes += text.length;
  const body = JSON.parse(text) as { items: unknown[]; metadata: { continue?: string } };
  count += body.items.length;
  pages++;
  cont = body.metadata.continue ?? '';
} while (cont);
const listMs = performance.now() - t0;
emit('paged_list_all_pods', listMs, 'ms');
emit('paged_list_pages_per_s', pages / (listMs / 1000), 'pages/s');
emit('paged_list_mb_per_s', bytes / 1e6 / (listMs / 1000), 'MB/s');
if (count !== pods) throw new Error(`listed ${count} pods, expected ${pods}`);

const kc = new KubeConfig();
kc.loadFromOptions(sim.kubeConfig());
let received = 0;
const controllers: AbortController[] = [];
for (let i = 0; i < watchers; i++) {
  controllers.push(
    await new Watch(kc).watch(
      '/api/v1/pods',
      { resourceVersion: String(sim.store.resourceVersion()) },
      () => received++,
      () => undefined,
    ),
  );
}
const victims = sim.store.list('pods', { limit: updates }).items.map((p) => [p.metadata.namespace!, p.metadata.name!] as const);
t0 = performance.now();
for (const [ns, name] of victims) {
  sim.store.mutate('pods', ns, name, (o) => {
    o.metadata.labels = { ...(o.metadata.labels ?? {}), bench: String(Date.now()) };
  });
}
const expected = victims.length * watchers;
while (received < expected) await new Promise((r) => setTimeout(r, 5));
const watchMs = performance.now() - t0;
emit('watch_events_delivered_per_s', expected / (watchMs / 1000), 'events/s');
for (const c of controllers) c.abort();
await sim.close();

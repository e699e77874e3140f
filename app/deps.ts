import type { AlertHub } from '../alerts/hub.ts';
import type { KnowledgeLinks } from '../alerts/knowledge.ts';
import type { DecisionEvent } from '../alerts/pipeline/types.ts';
import { createConsoleNotifier } from '../alerts/notifiers/console.ts';
import type { Notifier } from '../alerts/notifiers/types.ts';
import { createWebhookNotifier } from '../alerts/notifiers/webhook.ts';
import { createDingTalkNotifier } from '../alerts/notifiers/dingtalk.ts';
import { createSlackNotifier, createSlackNotifierClient } from '../alerts/notifiers/slack.ts';
import { renderNotification } from '../alerts/render/notification.ts';
import type { Config } from './config-schema.ts';
import { createBaseDeps, createHub, type BaseDeps, type Clients } from './base-deps.ts';
import { createKnowledgeBase, type KnowledgeBase } from '../knowledge/index.ts';
import { connectCluster, runtimeOptions, type ClusterConnection } from '../kube/connect.ts';
import { createKube, type KubeRuntime } from '../kube/runtime.ts';
import type { Logger } from '../core/logger.ts';
import { redisKeys } from '../core/redis-keys.ts';
import { kubeMetricsOf } from '../core/metrics.ts';
import type { PublicUrl } from './public-url.ts';
import { createAuditLog } from '../chat/audit.ts';
import { createOpsComponent, type OpsPosts } from './ops.ts';
import type { Ops } from '../ops/index.ts';
import type { DemoScenarios } from '../handlers/types.ts';

/**
 * Everything a `worker` or `all` process builds once and passes down: the clients, registries,
 * lifecycle and alert hub every process has (`BaseDeps`, all an `intake` process builds, see
 * app/intake.ts), plus the knowledge base, the cluster and safe operations. Handlers, workers and
 * reconcilers get what they need from here; nothing builds its own clients.
 */
export interface Deps extends BaseDeps {
  /** Runbooks, their matching and search, and resolution notes. */
  knowledge: KnowledgeBase;
  /** The cluster cache, history and reconcilers; absent when `kube.mode` is `off`. */
  kube?: KubeRuntime;
  /** Safe operations; absent without a cluster or with `ops.enabled: false`. */
  ops?: Ops;
  /** Where chat adapters register how operation results reach their channels. */
  opsPosts: OpsPosts;
  /** The simulated cluster's scenarios; only `firstmate demo` passes them. */
  demo?: DemoScenarios;
}

/** What the process may hand to `createDeps` beyond the configuration. */
export interface DepsOptions {
  /** Where the console notifier prints alert notifications (the console chat output). */
  consoleWrite?: (text: string) => void;
  /** Replaces the knowledge base as the source of links on notifications. */
  knowledge?: KnowledgeLinks;
  /** Sees every flush decision (benchmarks, tracing). */
  onDecision?: (e: DecisionEvent) => void;
  /** The cluster to watch instead of the one `kube` configures (the embedded demo's). */
  cluster?: ClusterConnection;
  /** The simulated cluster's scenarios (the embedded demo's `demo …` commands). */
  demo?: DemoScenarios;
}

/**
 * Builds every client once for a `worker` or `all` process (`firstmate start` builds an `intake`
 * process through app/intake.ts). Redis is resolved first (a private server may be started);
 * components register with `lifecycle` in start order.
 */
export async function createDeps(config: Config, logger: Logger, opts: DepsOptions = {}): Promise<Deps> {
  // Resolved before Redis: a missing cluster fails the start before anything is started. An
  // intake-only process never watches the cluster.
  const cluster = config.server.role === 'intake' ? undefined : (opts.cluster ?? connectCluster(config.kube));
  const deps = await createBaseDeps(config, logger, (clients) => createServices(clients, opts, cluster));
  return { ...deps, ...(opts.demo ? { demo: opts.demo } : {}) };
}

/** The knowledge base, the alert hub with its notifiers, and the Kubernetes core, in start order. */
async function createServices(clients: Clients, opts: DepsOptions, cluster: ClusterConnection | undefined) {
  const { config, logger, publicUrl } = clients;
  const knowledge = await createKnowledgeBase({
    // A connection of its own with auto-pipelining: the note lookups of the flushes running at
    // once (one per notification) go out to Redis as one write.
    redis: clients.newRedis({ enableAutoPipelining: true }),
    dirs: config.knowledge.dirs,
    publicBaseUrl: config.knowledge.publicBaseUrl ?? (() => publicUrl.get()),
    keyPrefix: config.knowledge.keyPrefix ?? redisKeys(config.redis.prefix).knowledgePrefix,
    maxLinks: config.knowledge.maxLinks,
  });
  for (const problem of knowledge.problems) logger.warn({ problem }, 'knowledge article skipped');
  const audit = createAuditLog(clients);
  const alerts = createHub(clients, {
    notifiers: createNotifiers(clients, opts),
    ...(opts.onDecision ? { onDecision: opts.onDecision } : {}),
    knowledge: opts.knowledge ?? knowledge,
    audit: (e) => audit.recordApi(e),
  });
  const kube = createKubeComponent(clients, alerts, cluster);
  const wired =
    kube && cluster && config.ops.enabled
      ? createOpsComponent({ ...clients, kube, kubeConfig: cluster.kubeConfig })
      : { ops: undefined, posts: { register: () => undefined } };
  return { knowledge, alerts, kube, ...(wired.ops ? { ops: wired.ops } : {}), opsPosts: wired.posts };
}

/**
 * The notifiers this process sends with: console (to the console chat output, else the log),
 * webhook, Slack (with a bot token) and DingTalk.
 */
function createNotifiers({ config, logger, publicUrl }: Clients, opts: DepsOptions): Notifier[] {
  const write = opts.consoleWrite ?? ((text: string) => logger.info({ notification: text }, 'alert notification'));
  const notifiers: Notifier[] = [
    createConsoleNotifier(write, () => display(config, publicUrl)),
    createWebhookNotifier({ timeoutMs: config.alerts.notify.timeout }),
  ];
  if (config.chat.slack.botToken) {
    const client = createSlackNotifierClient({
      botToken: config.chat.slack.botToken,
      apiUrl: config.chat.slack.apiUrl,
      logger,
      timeoutMs: config.alerts.notify.timeout,
    });
    notifiers.push(
      createSlackNotifier(client, {
        publicUrl: () => publicUrl.get(),
        ...(config.display.timeZone && { timeZone: config.display.timeZone }),
        maxFiring: config.alerts.storm.topN,
        maxResolved: config.alerts.storm.topN,
        logger,
      }),
    );
  }
  notifiers.push(
    createDingTalkNotifier({
      robotUrl: config.chat.dingtalk.robotUrl,
      render: (n) => renderNotification(n, display(config, publicUrl)),
      timeoutMs: config.alerts.notify.timeout,
    }),
  );
  return notifiers;
}

/** How notifications show times and links in this process. */
function display(config: Config, publicUrl: PublicUrl) {
  return { publicUrl: publicUrl.get(), ...(config.display.timeZone && { timeZone: config.display.timeZone }) };
}

/**
 * Registers the Kubernetes core for the connected cluster after the pipeline, so it stops first
 * and its last alerts still reach the queues.
 */
function createKubeComponent(
  { config, logger, metrics, redis, lifecycle, readiness }: Clients,
  alerts: AlertHub,
  connection: ClusterConnection | undefined,
): KubeRuntime | undefined {
  if (!connection) return undefined;
  const kubeLogger = logger.child({ component: 'kube' });
  kubeLogger.info({ origin: connection.origin }, 'watching the cluster');
  const kube = createKube({
    kubeConfig: connection.kubeConfig,
    redis,
    sink: alerts.sink,
    logger: kubeLogger,
    metrics: kubeMetricsOf(metrics),
    options: runtimeOptions(config.kube, config.redis.prefix),
  });
  lifecycle.add({
    name: 'kube',
    start: () => kube.start(),
    stop: async () => {
      await kube.stop();
      await connection.close();
    },
  });
  readiness.add('kube', () => kube.synced());
  return kube;
}

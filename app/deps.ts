import type { Redis, RedisOptions } from 'ioredis';
import { createAlertHub, type AlertHub } from '../alerts/hub.ts';
import type { KnowledgeLinks } from '../alerts/knowledge.ts';
import type { DecisionEvent } from '../alerts/pipeline/types.ts';
import { createConsoleNotifier } from '../alerts/notifiers/console.ts';
import { createDingTalkNotifier } from '../alerts/notifiers/dingtalk.ts';
import { createSlackNotifier, createSlackNotifierClient } from '../alerts/notifiers/slack.ts';
import type { Notifier } from '../alerts/notifiers/types.ts';
import { createWebhookNotifier } from '../alerts/notifiers/webhook.ts';
import { renderNotification } from '../alerts/render/notification.ts';
import type { Config } from './config-schema.ts';
import { createKnowledgeBase, type KnowledgeBase } from '../knowledge/index.ts';
import { connectCluster, runtimeOptions, type ClusterConnection } from '../kube/connect.ts';
import { createKube, type KubeRuntime } from '../kube/runtime.ts';
import { createLifecycle, createReadiness, type Lifecycle, type Readiness } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { redisKeys } from '../core/redis-keys.ts';
import { createMetrics, kubeMetricsOf, type Metrics } from '../core/metrics.ts';
import { createPublicUrl, type PublicUrl } from './public-url.ts';
import { createRedisClient, ensureRedis, type RedisEndpoint } from './redis.ts';
import { createAuditLog } from '../chat/audit.ts';
import { createOpsComponent, type OpsPosts } from './ops.ts';
import type { Ops } from '../ops/index.ts';
import type { DemoScenarios } from '../handlers/types.ts';

/**
 * Everything the process builds once and passes down: clients, registries, lifecycle. Handlers,
 * workers and reconcilers get what they need from here; nothing builds its own clients.
 */
export interface Deps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** Shared command connection. */
  redis: Redis;
  redisEndpoint: RedisEndpoint;
  /** A new connection (BullMQ workers and blocking commands need their own), with extra options. */
  newRedis(options?: RedisOptions): Redis;
  readiness: Readiness;
  lifecycle: Lifecycle;
  /** Where links in messages and pages point (`server.publicUrl`, else the listening address). */
  publicUrl: PublicUrl;
  /** Runbooks, their matching and search, and resolution notes. */
  knowledge: KnowledgeBase;
  /** The alert hub: pipeline, sink, silences, incidents, notifier registry, intake routes. */
  alerts: AlertHub;
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
 * Builds every client once. Redis is resolved first (a private server may be started);
 * components register with `lifecycle` in start order.
 */
export async function createDeps(config: Config, logger: Logger, opts: DepsOptions = {}): Promise<Deps> {
  // Resolved before Redis: a missing cluster fails the start before anything is started. An
  // intake-only process never watches the cluster.
  const cluster = config.server.role === 'intake' ? undefined : (opts.cluster ?? connectCluster(config.kube));
  const lifecycle = createLifecycle(logger);
  const metrics = createMetrics();
  const readiness = createReadiness();
  const redisEndpoint = await ensureRedis(config.redis);
  if (redisEndpoint.privateServer)
    logger.info({ url: redisEndpoint.url, ...redisEndpoint.privateServer }, 'started a private redis-server');
  const connections: Redis[] = [];
  const newRedis = (options?: RedisOptions) => {
    const client = createRedisClient(redisEndpoint.url, options);
    client.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
    connections.push(client);
    return client;
  };
  const redis = newRedis();
  readiness.add('redis', async () => {
    // A connection known to be down answers at once; a stuck one within a second.
    const up =
      redis.status === 'ready' && (await Promise.race([redis.ping(), new Promise((r) => setTimeout(r, 1000, 'timeout'))])) === 'PONG';
    metrics.redisUp.set(up ? 1 : 0);
    return up;
  });
  // Registered first so it stops last: everything else may still need Redis while draining.
  const releaseRedis = async () => {
    await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    await redisEndpoint.stop();
  };
  lifecycle.add({ name: 'redis', stop: releaseRedis });
  try {
    const publicUrl = createPublicUrl(config.server);
    const base: BaseDeps = { config, logger, metrics, redis, redisEndpoint, newRedis, readiness, lifecycle, publicUrl };
    return { ...base, ...(await createServices(base, opts, cluster)), ...(opts.demo ? { demo: opts.demo } : {}) };
  } catch (err) {
    // Nothing has started yet; a private redis-server must not outlive the failed start.
    await releaseRedis();
    throw err;
  }
}

/** What the services below are built from: the clients and registries. */
type BaseDeps = Omit<Deps, 'knowledge' | 'alerts' | 'kube' | 'ops' | 'opsPosts'>;

/** The knowledge base, the alert hub with its notifiers, and the Kubernetes core, in start order. */
async function createServices(base: BaseDeps, opts: DepsOptions, cluster: ClusterConnection | undefined) {
  const { config, logger, metrics, redis, newRedis, lifecycle, publicUrl } = base;
  const knowledge = await createKnowledgeBase({
    redis,
    dirs: config.knowledge.dirs,
    publicBaseUrl: config.knowledge.publicBaseUrl ?? (() => publicUrl.get()),
    keyPrefix: config.knowledge.keyPrefix ?? redisKeys(config.redis.prefix).knowledgePrefix,
    maxLinks: config.knowledge.maxLinks,
  });
  for (const problem of knowledge.problems) logger.warn({ problem }, 'knowledge article skipped');
  const audit = createAuditLog(base);
  // An intake-only process runs no pipeline workers: they run in `worker` processes.
  const alertsConfig =
    config.server.role === 'intake' ? { ...config.alerts, workers: { ...config.alerts.workers, enabled: false } } : config.alerts;
  const alerts = createAlertHub({
    config: { alerts: alertsConfig, redis: config.redis },
    redis,
    newRedis,
    logger,
    metrics,
    // An intake-only process runs no notify worker: it sends nothing.
    notifiers: config.server.role === 'intake' ? [] : createNotifiers(base, opts),
    ...(opts.onDecision ? { onDecision: opts.onDecision } : {}),
    knowledge: opts.knowledge ?? knowledge,
    audit: (e) => audit.recordApi(e),
  });
  // After Redis (stops before it): workers drain while their connections are still up.
  lifecycle.add(alerts.pipeline.component);
  if (config.server.role !== 'worker') lifecycle.add(alerts.intakeSummary);
  const kube = createKubeComponent(base, alerts, cluster);
  const wired =
    kube && cluster && config.ops.enabled
      ? createOpsComponent({ ...base, kube, kubeConfig: cluster.kubeConfig })
      : { ops: undefined, posts: { register: () => undefined } };
  return { knowledge, alerts, kube, ...(wired.ops ? { ops: wired.ops } : {}), opsPosts: wired.posts };
}

/**
 * The notifiers this process sends with: console (to the console chat output, else the log),
 * webhook, Slack (with a bot token) and DingTalk.
 */
function createNotifiers({ config, logger, publicUrl }: BaseDeps, opts: DepsOptions): Notifier[] {
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
  { config, logger, metrics, redis, lifecycle, readiness }: BaseDeps,
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

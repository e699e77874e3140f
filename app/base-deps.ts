import type { Redis, RedisOptions } from 'ioredis';
import { createAlertHub, type AlertHub, type AlertHubOptions } from '../alerts/hub.ts';
import type { Config } from './config-schema.ts';
import { createLifecycle, createReadiness, type Lifecycle, type Readiness } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { createMetrics, type Metrics } from '../core/metrics.ts';
import { createPublicUrl, type PublicUrl } from './public-url.ts';
import { createRedisClient, ensureRedis, type RedisEndpoint } from './redis.ts';

/**
 * What every process builds, whatever its role: clients, registries, lifecycle and the alert
 * hub. An `intake` process has this and nothing more; `Deps` (app/deps.ts) adds what chat, the
 * API, the workers and the cluster need.
 */
export interface BaseDeps {
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
  /** The alert hub: pipeline, sink, silences, incidents, notifier registry, intake routes. */
  alerts: AlertHub;
}

/** The clients the role's parts are built from. */
export type Clients = Omit<BaseDeps, 'alerts'>;

/**
 * Resolves Redis (a private server may be started), builds the clients every process shares and
 * then the role's parts from them (`build`); components register with `lifecycle` in start order.
 * When `build` fails, Redis is released before the error goes on.
 */
export async function createBaseDeps<T extends { alerts: AlertHub }>(
  config: Config,
  logger: Logger,
  build: (clients: Clients) => Promise<T>,
): Promise<Clients & T> {
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
    const clients: Clients = { config, logger, metrics, redis, redisEndpoint, newRedis, readiness, lifecycle, publicUrl };
    return { ...clients, ...(await build(clients)) };
  } catch (err) {
    // Nothing has started yet; a private redis-server must not outlive the failed start.
    await releaseRedis();
    throw err;
  }
}

/** What the role adds to the alert hub: notifiers, knowledge links, decision tracing, the audit log. */
export type HubParts = Pick<AlertHubOptions, 'notifiers' | 'knowledge' | 'onDecision' | 'audit'>;

/**
 * The alert hub on the process's clients, its pipeline and intake summary registered with the
 * lifecycle (after Redis, so they stop before it: workers drain while their connections are
 * still up). An `intake` process runs no pipeline workers (they run in `worker` processes) and a
 * `worker` process no intake summary.
 */
export function createHub(clients: Clients, parts: HubParts = {}): AlertHub {
  const { config, logger, metrics, redis, newRedis, lifecycle } = clients;
  const role = config.server.role;
  const alertsConfig = role === 'intake' ? { ...config.alerts, workers: { ...config.alerts.workers, enabled: false } } : config.alerts;
  const alerts = createAlertHub({
    config: { alerts: alertsConfig, redis: config.redis },
    redis,
    newRedis,
    logger,
    metrics,
    ...parts,
  });
  lifecycle.add(alerts.pipeline.component);
  if (role !== 'worker') lifecycle.add(alerts.intakeSummary);
  return alerts;
}

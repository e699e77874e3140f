/**
 * Safe operations as one unit: the Redis store, the API client, the service chat commands use
 * and the leader-run executor (a lifecycle component).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Redis } from 'ioredis';
import type { KubeRuntime } from '../kube/runtime.ts';
import type { KubeLogger } from '../kube/types.ts';
import { createOpsApi } from './api.ts';
import type { OpsApi } from './api.ts';
import type { OpsSettings } from './config-schema.ts';
import { OpsRunner } from './runner.ts';
import { createOpsService } from './service.ts';
import type { OpsObserver, OpsService } from './service.ts';
import { createOpsStore } from './store.ts';
import type { OpsStore } from './store.ts';

export type { OpsObserver, OpsService } from './service.ts';
export type { Actor, Operation, Origin } from './types.ts';
export { OpsRunner } from './runner.ts';

export interface CreateOpsDeps {
  settings: OpsSettings;
  /** Configured protected namespaces plus firstmate's own. */
  protectedNamespaces: readonly string[];
  redis: Redis;
  /** Key prefix, e.g. `{firstmate}:`. */
  prefix: string;
  kubeConfig: KubeConfig;
  kube: Pick<KubeRuntime, 'cache' | 'storm' | 'isLeader'>;
  observer: OpsObserver;
  logger: KubeLogger;
  now?: () => number;
}

export interface Ops {
  service: OpsService;
  runner: OpsRunner;
  store: OpsStore;
  api: OpsApi;
}

export function createOps(d: CreateOpsDeps): Ops {
  const api = createOpsApi(d.kubeConfig);
  const store = createOpsStore(d.redis, d.prefix);
  const now = d.now ?? Date.now;
  const redLines = {
    settings: d.settings,
    protectedNamespaces: d.protectedNamespaces,
    api,
    cache: d.kube.cache,
    store,
    storm: () => d.kube.storm().active,
    now,
  };
  const runner = new OpsRunner({
    settings: d.settings,
    store,
    api,
    redLines,
    observer: d.observer,
    logger: d.logger,
    isLeader: () => d.kube.isLeader(),
    now,
  });
  const service = createOpsService({
    settings: d.settings,
    protectedNamespaces: d.protectedNamespaces,
    store,
    api,
    kube: d.kube,
    observer: d.observer,
    now,
    kick: () => runner.kick(),
  });
  return { service, runner, store, api };
}

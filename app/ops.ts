/**
 * Wires safe operations into the process: the ops unit on the cluster connection, its observer
 * (an audit entry and a metric for every transition; the final result posted, through the chat
 * platform it came from, to the channel where it was asked) and the runner as a lifecycle
 * component that starts after the Kubernetes core and stops before it.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { createAuditLog } from '../chat/audit.ts';
import type { Reply } from '../core/reply.ts';
import { renderResult } from '../handlers/ops-render.ts';
import type { KubeRuntime } from '../kube/runtime.ts';
import { createOps } from '../ops/index.ts';
import type { Ops, Operation } from '../ops/index.ts';
import type { Config } from './config-schema.ts';
import type { Logger } from '../core/logger.ts';
import type { Lifecycle } from '../core/lifecycle.ts';
import type { Metrics } from '../core/metrics.ts';
import type { Redis } from 'ioredis';

/** Posts a reply to a channel of one chat platform. */
export type ChannelPoster = (channelId: string, reply: Reply) => Promise<void>;

/** Where operation results go: chat adapters register a poster for their platform. */
export interface OpsPosts {
  register(platform: string, post: ChannelPoster): void;
}

const OUTCOMES: Record<string, string> = {
  planned: 'started',
  refused: 'refused',
  confirmed: 'confirmed',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  expired: 'expired',
};

export function createOpsComponent(d: {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  redis: Redis;
  lifecycle: Lifecycle;
  kube: KubeRuntime;
  kubeConfig: KubeConfig;
}): { ops: Ops; posts: OpsPosts } {
  const { config, logger, metrics } = d;
  const audit = createAuditLog(d);
  const posters = new Map<string, ChannelPoster>();
  const log = logger.child({ component: 'ops' });
  const rl = config.ops.redLines;
  const ops = createOps({
    settings: config.ops,
    protectedNamespaces: [...rl.protectedNamespaces, ...(rl.protectOwnNamespace ? [config.kube.leaderElection.namespace] : [])],
    redis: d.redis,
    prefix: `${config.redis.prefix}:`,
    kubeConfig: d.kubeConfig,
    kube: d.kube,
    logger: log,
    observer: {
      async transition(op: Operation, event: string, by: string, detail?: string) {
        const outcome = OUTCOMES[event];
        if (outcome) metrics.operations.inc({ kind: op.kind, outcome });
        await audit.event({
          user: by,
          command: `op ${op.kind}`,
          args: [op.id, op.target.name],
          decision: event,
          result: op.status,
          ...(detail ? { reason: detail } : {}),
          platform: op.origin.platform,
          channel: op.origin.channelId,
        });
      },
      async finished(op: Operation) {
        const post = posters.get(op.origin.platform);
        if (!post) return;
        try {
          await post(op.origin.channelId, renderResult(op));
        } catch (err) {
          log.warn({ err, op: op.id }, 'could not post the operation result');
        }
      },
    },
  });
  d.lifecycle.add({ name: 'ops-runner', start: () => ops.runner.start(), stop: () => ops.runner.stop() });
  return { ops, posts: { register: (platform, post) => posters.set(platform, post) } };
}

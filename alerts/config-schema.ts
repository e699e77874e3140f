import { z } from 'zod';
import { parseDuration } from './duration.ts';
import { parseMatcher } from './matchers.ts';
import { dingtalkDestinationSchema } from './notifiers/dingtalk.ts';
import { frequencyRuleSchema, sourceOptionsSchema, sources as intakeSources } from './sources/index.ts';

/**
 * The `alerts` section of the configuration: Alertmanager-style route tree, receivers,
 * inhibition rules, intake sources and pipeline limits. Field names follow Alertmanager's YAML
 * (`group_by`, `group_wait`, …) so an existing routing config reads the same here.
 */
const duration = z.string().transform((s, ctx) => {
  try {
    return parseDuration(s);
  } catch (err) {
    ctx.issues.push({ code: 'custom', message: (err as Error).message, input: s });
    return z.NEVER;
  }
});

const matcher = z.string().superRefine((s, ctx) => {
  try {
    parseMatcher(s);
  } catch (err) {
    ctx.issues.push({ code: 'custom', message: (err as Error).message, input: s });
  }
});

export interface RouteInput {
  receiver?: string;
  matchers?: string[];
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  continue?: boolean;
  routes?: RouteInput[];
}

/** One node of the route tree; unset fields inherit from the parent. */
export const routeSchema: z.ZodType<RouteConfig, RouteInput> = z.strictObject({
  receiver: z.string().min(1).optional(),
  matchers: z.array(matcher).default([]),
  /**
   * Labels to group by; `['...']` groups by every label (one group per alert), `[]` makes one group
   * per route (Alertmanager's default). Unset at the root: `[alertname]` (firstmate's default).
   */
  group_by: z.array(z.string().min(1)).optional(),
  group_wait: duration.optional(),
  group_interval: duration.optional(),
  repeat_interval: duration.optional(),
  continue: z.boolean().default(false),
  get routes() {
    return z.array(routeSchema).default([]);
  },
});

export interface RouteConfig {
  receiver?: string;
  matchers: string[];
  group_by?: string[];
  group_wait?: number;
  group_interval?: number;
  repeat_interval?: number;
  continue: boolean;
  routes: RouteConfig[];
}

export const receiverSchema = z.strictObject({
  name: z.string().min(1),
  /** Print on the console chat output. */
  console: z.boolean().optional(),
  /** POST the notification as JSON; credentials go in `headers` (a URL with `user:pass@` is refused). */
  webhook: z
    .strictObject({
      url: z.url().refine((u) => {
        const url = new URL(u);
        return !url.username && !url.password;
      }, 'a webhook URL may not carry user:password@ (fetch cannot send it); put the credential in headers.Authorization instead'),
      headers: z.record(z.string(), z.string()).default({}),
    })
    .optional(),
  slack: z.strictObject({ channel: z.string().min(1) }).optional(),
  /** A DingTalk custom robot: `accessToken` or `webhook`, optional `secret`, `atMobiles`/`atUserIds`. */
  dingtalk: dingtalkDestinationSchema.optional(),
  /** Tell this receiver when alerts resolve (Alertmanager's `send_resolved`). */
  send_resolved: z.boolean().default(true),
  /**
   * Send each alert to its owner's channel: the `firstmate.io/channel` annotation, else the
   * `channel` label. Alerts of different owners never share a group; Slack destinations post to
   * the owner channel, DingTalk destinations to the robot named there in `alerts.robots`.
   */
  owner_routing: z.boolean().default(false),
});

const apiTokenSchema = z.strictObject({
  name: z.string().min(1).max(100),
  token: z.string().min(16, 'API tokens need at least 16 characters'),
  /** `admin` may create silences that match everything (`all: true`). */
  role: z.enum(['operator', 'admin']).default('operator'),
});

const rateLimit = z.strictObject({ max: z.number().int().positive(), per: duration });

export const alertsConfigSchema = z
  .strictObject({
    route: routeSchema.prefault({ receiver: 'console' }),
    receivers: z.array(receiverSchema).default([{ name: 'console', console: true, send_resolved: true, owner_routing: false }]),
    inhibit_rules: z
      .array(
        z.strictObject({
          source_matchers: z.array(matcher).min(1),
          target_matchers: z.array(matcher).min(1),
          equal: z.array(z.string().min(1)).default([]),
        }),
      )
      .default([]),
    /** DingTalk robots owner routing may name (`firstmate.io/channel: db-team`). */
    robots: z.record(z.string(), dingtalkDestinationSchema).default({}),
    /** Intake credentials and the options the source parsers get (`sources/options.ts`). */
    sources: z
      .strictObject({
        ...sourceOptionsSchema.omit({ maxAlerts: true }).shape,
        /** Bearer tokens per source name (`alertmanager`, `generic`, `kubernetes`, …). */
        tokens: z.record(z.string(), z.array(z.string().min(8, 'tokens need at least 8 characters'))).default({}),
        /**
         * Sources that take deliveries without a credential (each is warned about at start); a
         * source with neither tokens (Sentry: keys or secrets) nor a place here answers 401.
         */
        open: z.array(z.enum(intakeSources.map((s) => s.name) as [string, ...string[]])).default([]),
        /** How long replayed Sentry webhooks are remembered (by request id and body). */
        replayWindow: duration.default(86_400_000),
        /** Frequency rules turning Sentry SDK events into alerts, tried in order. */
        frequency: z
          .array(frequencyRuleSchema)
          .default([{ name: 'SentryErrorBurst', count: 2, windowSeconds: 20, match: { level: ['fatal', 'error'] } }]),
        /** Link on frequency alerts, with `{projectId}`, `{groupKey}`, `{eventId}` placeholders. */
        generatorUrl: z.string().optional(),
      })
      .prefault({}),
    limits: z
      .strictObject({
        /** Ingest jobs waiting before webhooks get 429 (intake stores deliveries itself; jobs come from earlier versions). */
        backlog: z.number().int().positive().default(10_000),
        /** Groups whose flush is due and not taken before webhooks get 429: new groups pile up here. */
        flushBacklog: z.number().int().positive().default(10_000),
        /** Notify jobs due (waiting) before webhooks get 429: notification lag piles up here. */
        notifyBacklog: z.number().int().positive().default(5_000),
        maxAlertsPerDelivery: z.number().int().positive().default(5_000),
        /** Retry-After seconds answered with 429 and 503. */
        retryAfterSeconds: z.number().int().positive().default(5),
        /** How long intake and the API wait for Redis before answering 503 (Redis down or stuck). */
        redisTimeout: duration.default(2000),
      })
      .prefault({}),
    flapping: z
      .strictObject({
        /** Status changes within `window` that make an alert flapping; 0 turns damping off. */
        threshold: z.number().int().min(0).default(4),
        window: duration.default(600_000),
      })
      .prefault({}),
    storm: z.strictObject({ topN: z.number().int().positive().default(10) }).prefault({}),
    ingest: z
      .strictObject({
        concurrency: z.number().int().positive().default(16),
        /** Most alerts one ingest script call carries; a job's calls still go out in one round trip. */
        maxAlertsPerCall: z.number().int().positive().max(20_000).default(4000),
      })
      .prefault({}),
    intake: z
      .strictObject({
        /** Most alerts one group-commit write carries; a delivery is never split. */
        maxBatchAlerts: z.number().int().positive().default(20_000),
        /** How often intake logs one summary line (deliveries, alerts, writes, refusals); 0 = never. */
        summaryEvery: duration.default(60_000),
      })
      .prefault({}),
    flush: z
      .strictObject({
        /** Flushes one worker process runs at a time (they mostly wait on Redis and the deliveries). */
        concurrency: z.number().int().positive().default(64),
        /**
         * Least time between two claims of due groups by one worker while groups keep coming due
         * (0 = none): what came due meanwhile is flushed together, sharing Redis round trips. A
         * claim after a quiet spell is never held back; under load a decision waits at most this.
         */
        spacing: duration.default(5),
        /**
         * How long an emptied group is kept with its timer (Alertmanager removes empty groups in
         * its 30 s maintenance): an alert firing again meanwhile is told at the group's next
         * group_interval tick, not after a fresh group_wait.
         */
        keepEmptyGroup: duration.default(30_000),
      })
      .prefault({}),
    notify: z
      .strictObject({
        /** Deliveries one worker process runs at a time (they mostly wait on the destination). */
        concurrency: z.number().int().positive().default(64),
        attempts: z.number().int().positive().default(10),
        backoff: duration.default(1000),
        maxBackoff: duration.default(300_000),
        timeout: duration.default(10_000),
        /** Per destination (one Slack channel, one robot, one URL). */
        rateLimits: z
          .strictObject({
            console: rateLimit.optional(),
            webhook: rateLimit.optional(),
            slack: rateLimit.default({ max: 1, per: 1000 }),
            dingtalk: rateLimit.default({ max: 20, per: 60_000 }),
          })
          .catchall(rateLimit)
          .prefault({}),
      })
      .prefault({}),
    /**
     * BullMQ worker timings: a live worker renews its job locks every `lockDuration / 2`; a crashed
     * worker's jobs are taken over within about `lockDuration + stalledInterval`.
     */
    workers: z
      .strictObject({
        lockDuration: duration.default(5000),
        stalledInterval: duration.default(2000),
        /** How often queue depths and open groups are sampled into metrics; 0 = never. */
        sampleEvery: duration.default(5000),
        /** Run the workers in this process (intake-only replicas turn them off). */
        enabled: z.boolean().default(true),
      })
      .prefault({}),
    /**
     * Named bearer tokens for `/api/*` (and `/metrics`, `/kb` when `server.requireToken` says so):
     * the name is the identity recorded for what the token does. A bare string is read as a token
     * named `api-token-<n>`. Without tokens the API answers 401.
     */
    apiTokens: z
      .array(z.union([z.string().min(8, 'API tokens need at least 8 characters'), apiTokenSchema]))
      .default([])
      .transform((list) =>
        list.map((t, i) => (typeof t === 'string' ? { name: `api-token-${i + 1}`, token: t, role: 'operator' as const } : t)),
      ),
    api: z
      .strictObject({
        /** Serve the API without tokens, as `anonymous` (warned about at start). Ignored when tokens exist. */
        open: z.boolean().default(false),
      })
      .prefault({}),
    silences: z
      .strictObject({
        /** Longest silence, on every path (chat and API). */
        maxDuration: duration.default(30 * 86_400_000),
      })
      .prefault({}),
    /** Failed deliveries kept for `alerts failed` and the CLI. */
    failedKeep: z.number().int().positive().default(200),
  })
  .superRefine((cfg, ctx) => {
    const names = new Set<string>();
    cfg.receivers.forEach((r, i) => {
      if (names.has(r.name))
        ctx.issues.push({ code: 'custom', message: `duplicate receiver "${r.name}"`, path: ['receivers', i, 'name'], input: r.name });
      names.add(r.name);
      if (!r.console && !r.webhook && !r.slack && !r.dingtalk)
        ctx.issues.push({
          code: 'custom',
          message: `receiver "${r.name}" has no destination (console, webhook, slack or dingtalk)`,
          path: ['receivers', i],
          input: r,
        });
    });
    if (!cfg.route.receiver)
      ctx.issues.push({ code: 'custom', message: 'the root route needs a receiver', path: ['route', 'receiver'], input: cfg.route });
    const walk = (r: RouteConfig, path: PropertyKey[]) => {
      if (r.receiver && !names.has(r.receiver))
        ctx.issues.push({ code: 'custom', message: `unknown receiver "${r.receiver}"`, path: [...path, 'receiver'], input: r.receiver });
      r.routes.forEach((c, i) => walk(c, [...path, 'routes', i]));
    };
    walk(cfg.route, ['route']);
    const tokenNames = new Set<string>();
    cfg.apiTokens.forEach((t, i) => {
      if (tokenNames.has(t.name))
        ctx.issues.push({ code: 'custom', message: `duplicate API token name "${t.name}"`, path: ['apiTokens', i, 'name'], input: t.name });
      tokenNames.add(t.name);
    });
  });

export type AlertsConfig = z.infer<typeof alertsConfigSchema>;
export type ReceiverConfig = z.infer<typeof receiverSchema>;

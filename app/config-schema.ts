import { z } from 'zod';
import { isTimeZone } from '../core/time.ts';
import { alertsConfigSchema } from '../alerts/config-schema.ts';
import { knowledgeConfigSchema } from '../knowledge/config.ts';
import { kubeConfigSchema } from '../kube/config-schema.ts';
import { opsConfigSchema } from '../ops/config-schema.ts';
import { auditConfigSchema, authConfigSchema, chatConfigSchema } from '../chat/config-schema.ts';

/**
 * What one process runs: `all` (default) everything; `intake` only the HTTP intake (webhooks,
 * `/api/v2/alerts`, health, metrics), no workers, chat or cluster watch; `worker` everything but
 * the intake routes. Intake and workers then scale as separate processes on the same Redis.
 */
export const roleSchema = z.enum(['all', 'intake', 'worker']);
export type Role = z.infer<typeof roleSchema>;

/**
 * The whole configuration, validated once at start. `Config` is inferred from it, never written
 * twice. Every field has a default, so no file at all is a valid configuration.
 */
export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().default('0.0.0.0'),
      port: z.coerce.number().int().min(0).max(65535).default(8080),
      bodyLimitBytes: z
        .number()
        .int()
        .positive()
        .default(1024 * 1024),
      /** Base URL people use to reach this instance; links in messages point here. */
      publicUrl: z.url().optional(),
      /** How long SIGTERM waits for in-flight work before exiting anyway. */
      shutdownTimeoutMs: z.number().int().positive().default(10_000),
      /**
       * Connection limits, so idle and slow clients cannot pile up: a socket with no traffic for
       * `idleTimeoutMs` is closed (whatever its state), a kept-alive one after `keepAliveTimeoutMs`,
       * a request whose headers take over `headersTimeoutMs` or whose whole body takes over
       * `requestTimeoutMs` gets 408, and connections over `maxConnections` are refused.
       */
      idleTimeoutMs: z.number().int().positive().default(30_000),
      keepAliveTimeoutMs: z.number().int().positive().default(5_000),
      headersTimeoutMs: z.number().int().positive().default(10_000),
      requestTimeoutMs: z.number().int().positive().default(30_000),
      maxConnections: z.number().int().positive().default(4096),
      /** Put `/metrics` and `/kb` behind the API tokens (`alerts.apiTokens`) too. */
      requireToken: z.strictObject({ metrics: z.boolean().default(false), kb: z.boolean().default(false) }).prefault({}),
      /** What this process runs (`firstmate start --role`). */
      role: roleSchema.default('all'),
      /** Processes sharing the port (node:cluster); more than one only with role `intake`. */
      processes: z.number().int().min(1).max(64).default(1),
    })
    .refine((s) => s.headersTimeoutMs <= s.requestTimeoutMs, {
      message: 'headersTimeoutMs may not exceed requestTimeoutMs',
      path: ['headersTimeoutMs'],
    })
    .refine((s) => s.processes === 1 || s.role === 'intake', { message: 'several processes only with role intake', path: ['processes'] })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      /**
       * Where logs go while the console chat runs in an interactive terminal (only warnings show
       * there, one line each); default `<redis.dataDir>/firstmate.log`. Elsewhere logs are JSON on stderr.
       */
      file: z.string().min(1).optional(),
    })
    .prefault({}),
  redis: z
    .strictObject({
      url: z
        .string()
        .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
        .default('redis://127.0.0.1:6379'),
      /** Key and queue prefix; a hash tag keeps every key in one Redis Cluster slot. */
      prefix: z.string().min(1).default('{firstmate}'),
      /**
       * When nothing answers at `url`, start a private `redis-server` under `dataDir` instead of
       * failing. Off for `firstmate start` unless set; always on for `firstmate demo`.
       */
      embedded: z.boolean().default(false),
      dataDir: z.string().default('.firstmate'),
    })
    .prefault({}),
  /** How chat and pages show things to people. */
  display: z
    .strictObject({
      /** IANA time zone of the local times shown next to relative ones; default the machine's. */
      timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as Asia/Shanghai or UTC').optional(),
    })
    .prefault({}),
  chat: chatConfigSchema.prefault({}),
  auth: authConfigSchema.prefault({}),
  alerts: alertsConfigSchema.prefault({}),
  audit: auditConfigSchema.prefault({}),
  knowledge: knowledgeConfigSchema.prefault({}),
  kube: kubeConfigSchema.prefault({}),
  ops: opsConfigSchema.prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type { BindingConfig, CommandClass, UserConfig } from '../chat/config-schema.ts';

import { z } from 'zod';
import { alertsConfigSchema } from '../alerts/config-schema.ts';

/**
 * The whole configuration, validated once at start. `Config` is inferred from it, never written
 * twice. Every field has a default so that no file at all gives the embedded mode.
 */
const role = z.enum(['viewer', 'operator', 'admin']);

export const userSchema = z.strictObject({
  name: z.string().min(1),
  role,
  namespaces: z.array(z.string().min(1)).default(['*']),
  /** Platform identities of this user. */
  slack: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, 'a Slack user id like U012AB3CD')).default([]),
  dingtalk: z.array(z.string().min(1)).default([]),
  console: z.array(z.string().min(1)).default([]),
});

export const configSchema = z.strictObject({
  server: z.strictObject({
    host: z.string().default('0.0.0.0'),
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    bodyLimitBytes: z.number().int().positive().default(1024 * 1024),
    /** Base URL people use to reach this instance; links in messages point here. */
    publicUrl: z.url().optional(),
    /** How long SIGTERM waits for in-flight work before exiting anyway. */
    shutdownTimeoutMs: z.number().int().positive().default(10_000),
  }).prefault({}),
  log: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  }).prefault({}),
  redis: z.strictObject({
    url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
    /** Key and queue prefix; a hash tag keeps every key in one Redis Cluster slot. */
    prefix: z.string().min(1).default('{firstmate}'),
    /** When nothing answers at `url` and `redis-server` is on PATH, start a private one. */
    embedded: z.boolean().default(true),
    dataDir: z.string().default('.firstmate'),
  }).prefault({}),
  chat: z.strictObject({
    console: z.strictObject({
      /** `auto`: on when no other chat platform is configured. */
      enabled: z.union([z.boolean(), z.literal('auto')]).default('auto'),
      user: z.string().default('console'),
    }).prefault({}),
  }).prefault({}),
  auth: z.strictObject({
    users: z.array(userSchema).default([]),
    /** Role for identities not listed in `users`; `none` refuses them. */
    defaultRole: z.union([role, z.literal('none')]).default('viewer'),
    /** Role of the local console user when not listed (the terminal belongs to whoever runs it). */
    consoleRole: role.default('admin'),
  }).prefault({}),
  alerts: alertsConfigSchema.prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type UserConfig = z.infer<typeof userSchema>;

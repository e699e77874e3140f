import { z } from 'zod';

/** The chat platforms, users and roles, channel bindings and audit settings. */
export const role = z.enum(['viewer', 'operator', 'admin']);

export const userSchema = z.strictObject({
  name: z.string().min(1),
  role,
  namespaces: z.array(z.string().min(1)).default(['*']),
  /** Platform identities of this user. */
  slack: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, 'a Slack user id like U012AB3CD')).default([]),
  dingtalk: z.array(z.string().min(1)).default([]),
  console: z.array(z.string().min(1)).default([]),
});

/**
 * Slack: enabled when a bot token is set. Socket Mode (default) needs the app-level token;
 * HTTP mode serves `POST /slack/events` on the main server and needs the signing secret.
 */
export const slackSchema = z
  .strictObject({
    mode: z.enum(['socket', 'http']).default('socket'),
    /** Bot token `xoxb-…` (env `SLACK_BOT_TOKEN`). */
    botToken: z
      .string()
      .regex(/^xox[bp]-/, 'a Slack bot token starting with xoxb-')
      .optional(),
    /** App-level token `xapp-…` with `connections:write`, for Socket Mode (env `SLACK_APP_TOKEN`). */
    appToken: z
      .string()
      .regex(/^xapp-/, 'a Slack app-level token starting with xapp-')
      .optional(),
    /** Request signing secret, for HTTP mode (env `SLACK_SIGNING_SECRET`). */
    signingSecret: z.string().min(1).optional(),
    /** Web API base URL (env `SLACK_API_URL`); tests and proxies point it elsewhere. */
    apiUrl: z.url().default('https://slack.com/api/'),
    /** The slash command configured in the Slack app. */
    command: z
      .string()
      .regex(/^\/[a-z0-9_-]{1,31}$/, 'a slash command like /ops')
      .default('/ops'),
    /** Replies with more rendered blocks than this go in a thread instead of the channel. */
    threadOverBlocks: z.number().int().min(0).default(4),
  })
  .superRefine((s, ctx) => {
    if (!s.botToken) return;
    if (s.mode === 'socket' && !s.appToken)
      ctx.addIssue({
        code: 'custom',
        path: ['appToken'],
        message: 'Socket Mode needs an app-level token (SLACK_APP_TOKEN, xapp-…); or set chat.slack.mode: http',
      });
    if (s.mode === 'http' && !s.signingSecret)
      ctx.addIssue({ code: 'custom', path: ['signingSecret'], message: 'HTTP mode needs the signing secret (SLACK_SIGNING_SECRET)' });
  })
  .prefault({});
/** Command classes a channel binding can allow, besides single command names. */
export const commandClasses = ['query', 'alerts', 'ops', 'admin'] as const;

export const bindingSchema = z.strictObject({
  /** Shown in refusals ("ops channel"). */
  name: z.string().min(1).optional(),
  platform: z.enum(['slack', 'dingtalk', 'console', '*']).default('*'),
  /** Platform channel id (Slack `C…`, DingTalk `conversationId`), or `*` for every channel. */
  channel: z.string().min(1),
  /** Command classes (`query`, `alerts`, `ops`, `admin`) and/or command names allowed there. */
  allow: z.array(z.string().min(1)).min(1),
});

export const dingtalkSchema = z
  .strictObject({
    /** `auto`: on when a client id and secret are set. */
    enabled: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    /** AppKey of the DingTalk app whose robot receives messages in Stream mode. */
    clientId: z.string().min(1).optional(),
    /** AppSecret of that app. */
    clientSecret: z.string().min(1).optional(),
    /** Stream-mode gateway (`connections/open`); tests and proxies point it elsewhere. */
    gatewayUrl: z.url().default('https://api.dingtalk.com/v1.0/gateway/connections/open'),
    /** Custom-robot webhook base for alert pushes; the access token is per destination. */
    robotUrl: z.url().default('https://oapi.dingtalk.com/robot/send'),
    /** The robot's display name, stripped from the start of messages (`@firstmate host …`). */
    robotName: z.string().min(1).default('firstmate'),
    reconnect: z
      .strictObject({
        minDelayMs: z.number().int().positive().default(1_000),
        maxDelayMs: z.number().int().positive().default(60_000),
      })
      .prefault({}),
    /** WebSocket ping interval; a connection with no pong by the next ping is dropped. */
    heartbeatMs: z.number().int().positive().default(30_000),
    /** How long a delivered message id is remembered to drop redeliveries. */
    dedupSeconds: z.number().int().positive().default(600),
    requestTimeoutMs: z.number().int().positive().default(10_000),
  })
  .superRefine((d, ctx) => {
    if (d.enabled === true && (!d.clientId || !d.clientSecret)) {
      ctx.addIssue({
        code: 'custom',
        message: 'DingTalk is enabled but clientId/clientSecret (DINGTALK_CLIENT_ID/DINGTALK_CLIENT_SECRET) are not set',
        path: ['clientId'],
      });
    }
    if (d.reconnect.minDelayMs > d.reconnect.maxDelayMs)
      ctx.addIssue({ code: 'custom', message: 'minDelayMs must not exceed maxDelayMs', path: ['reconnect'] });
  });

export const chatConfigSchema = z.strictObject({
  console: z
    .strictObject({
      /** `auto`: on when no other chat platform is configured (e.g. no Slack bot token). */
      enabled: z.union([z.boolean(), z.literal('auto')]).default('auto'),
      user: z.string().default('console'),
    })
    .prefault({}),
  slack: slackSchema,
  dingtalk: dingtalkSchema.prefault({}),
});

export const authConfigSchema = z.strictObject({
  users: z.array(userSchema).default([]),
  /** Role for identities not listed in `users`; `none` refuses them. */
  defaultRole: z.union([role, z.literal('none')]).default('viewer'),
  /** Role of the local console user when not listed (the terminal belongs to whoever runs it). */
  consoleRole: role.default('admin'),
  /**
   * Which commands may run in which channel. The most specific binding for the channel wins
   * (platform + channel id, then channel id on any platform, then `*`); with no matching binding
   * every command is allowed. `help` and `whoami` run everywhere.
   */
  bindings: z.array(bindingSchema).default([]),
  /** Commands per user per window, shared by every replica (Redis). `limit: 0` turns it off. */
  rateLimit: z
    .strictObject({
      limit: z.number().int().min(0).default(20),
      windowSeconds: z.number().int().positive().default(60),
    })
    .prefault({}),
});

export const auditConfigSchema = z.strictObject({
  /** Entries older than this are trimmed from the audit stream. */
  retentionDays: z.number().positive().default(90),
  /** Upper bound on entries kept, whatever their age (approximate trimming). */
  maxEntries: z.number().int().positive().default(100_000),
});

export type UserConfig = z.infer<typeof userSchema>;
export type BindingConfig = z.infer<typeof bindingSchema>;
export type CommandClass = (typeof commandClasses)[number];
export type ChatConfig = z.infer<typeof chatConfigSchema>;
export type AuthConfig = z.infer<typeof authConfigSchema>;
export type AuditConfig = z.infer<typeof auditConfigSchema>;

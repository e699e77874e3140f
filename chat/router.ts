import { randomBytes } from 'node:crypto';
import type { Authz } from './authz.ts';
import type { RateLimiter } from './rate-limit.ts';
import { UserError } from '../core/errors.ts';
import { errorReply, type Reply } from '../core/reply.ts';
import { tokenize } from '../core/tokenize.ts';
import { roleAllows, type Handler, type Identity, type User } from './command.ts';
import type { ChatDeps } from './types.ts';
import { commandForm, nearestNames, withCommandForms } from './command-form.ts';

export type Decision = 'allowed' | 'refused' | 'unknown' | 'invalid';

/** What happened to one command: the audit log and the metrics are built from this. */
export interface CommandOutcome {
  identity: Identity;
  user?: User;
  command: string;
  args: string[];
  decision: Decision;
  result: 'ok' | 'user-error' | 'failed' | 'refused';
  reason?: string;
  ref?: string;
  durationMs: number;
  at: Date;
}

export interface Router<S = unknown> {
  /** Parses, authorises, runs and answers one chat line. Never throws. */
  handle(identity: Identity, line: string): Promise<Reply>;
  readonly handlers: readonly Handler<S>[];
}

/**
 * The chat core shared by every platform: line → command + args → user → rate limit → role →
 * channel binding → handler → reply. Typed commands and button presses come through here alike,
 * always with the identity of whoever sent or pressed. Errors become replies: a `UserError` as
 * is, anything else as "failed (ref …)" with the detail only in the log. `observers` see every
 * outcome, allowed or refused (audit, metrics).
 */
export function createRouter<S>(opts: {
  deps: Pick<ChatDeps, 'config' | 'logger' | 'metrics'>;
  /** What handlers act through. */
  services: S;
  authz: Authz;
  handlers: readonly Handler<S>[];
  observers?: Array<(outcome: CommandOutcome) => void | Promise<void>>;
  /** Per-user command limit; absent means unlimited. */
  rateLimiter?: RateLimiter;
}): Router<S> {
  const { deps, services, authz, handlers } = opts;
  const byName = new Map(handlers.map((h) => [h.name, h]));
  const names = new Set(byName.keys());
  const forms = { slackCommand: deps.config.chat.slack.command, dingtalkRobotName: deps.config.chat.dingtalk.robotName };
  const formOn = (identity: Identity) => (command: string) => commandForm(identity.platform, command, forms);
  /** An error reply whose `command` spans read as the platform types them. */
  const failure = (identity: Identity, text: string) => errorReply(withCommandForms(text, names, formOn(identity)));
  const observers = opts.observers ?? [];
  const { rateLimiter } = opts;

  /** Undefined when the user may go on, else the refusal. Fails open when Redis is unreachable. */
  const overLimit = async (user: User): Promise<string | undefined> => {
    if (!rateLimiter) return undefined;
    try {
      const verdict = await rateLimiter.take(user.id);
      if (verdict.allowed) return undefined;
      const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
      return `you are sending commands faster than allowed (${deps.config.auth.rateLimit.limit} per ${deps.config.auth.rateLimit.windowSeconds} s); please try again in ${seconds} s.`;
    } catch (err) {
      deps.logger.warn({ err, user: user.id }, 'rate limiter unavailable; allowing the command');
      return undefined;
    }
  };

  const finish = async (outcome: Omit<CommandOutcome, 'at'>, reply: Reply, started: number): Promise<Reply> => {
    const full: CommandOutcome = { ...outcome, durationMs: performance.now() - started, at: new Date() };
    deps.metrics.chatCommands.inc({
      platform: full.identity.platform,
      command: byName.has(full.command) ? full.command : 'unknown',
      outcome: full.result,
    });
    if (byName.has(full.command)) deps.metrics.chatCommandSeconds.observe({ command: full.command }, full.durationMs / 1000);
    for (const observe of observers) {
      try {
        await observe(full);
      } catch (err) {
        deps.logger.error({ err }, 'command observer failed');
      }
    }
    return reply;
  };

  return {
    handlers,
    async handle(identity, line) {
      const started = performance.now();
      let words: string[];
      try {
        words = tokenize(line.trim());
      } catch (err) {
        const message = (err as Error).message;
        return finish(
          { identity, command: '', args: [], decision: 'invalid', result: 'user-error', reason: message, durationMs: 0 },
          failure(identity, message),
          started,
        );
      }
      const [first = 'help', ...args] = words;
      const command = first.toLowerCase();
      const user = authz.resolve(identity);
      if (!user) {
        const reason = 'you are not a registered firstmate user; ask an admin to add your id ' + identity.userId;
        return finish(
          { identity, command, args, decision: 'refused', result: 'refused', reason, durationMs: 0 },
          errorReply(reason),
          started,
        );
      }
      const limited = await overLimit(user);
      if (limited) {
        return finish(
          { identity, user, command, args, decision: 'refused', result: 'refused', reason: limited, durationMs: 0 },
          errorReply(limited),
          started,
        );
      }
      const handler = byName.get(command);
      if (!handler) {
        const close = nearestNames(
          command,
          handlers.filter((h) => roleAllows(user.role, h.role)).map((h) => h.name),
        ).map((name) => `\`${[name, ...args].join(' ')}\``);
        const hint = close.length > 0 ? ` Did you mean ${close.join(' or ')}?` : '';
        const reason = `unknown command \`${command}\`.${hint} Type \`help\` for the list.`;
        return finish(
          { identity, user, command, args, decision: 'unknown', result: 'user-error', reason, durationMs: 0 },
          failure(identity, reason),
          started,
        );
      }
      if (!roleAllows(user.role, handler.role)) {
        const reason = `\`${handler.name}\` needs the ${handler.role} role; you are ${user.role}.`;
        return finish(
          { identity, user, command, args, decision: 'refused', result: 'refused', reason, durationMs: 0 },
          errorReply(reason),
          started,
        );
      }
      const binding = authz.checkBinding(identity, handler);
      if (!binding.allowed) {
        return finish(
          { identity, user, command, args, decision: 'refused', result: 'refused', reason: binding.reason, durationMs: 0 },
          errorReply(binding.reason),
          started,
        );
      }
      try {
        const allowedHere = (h: Handler<S>) => authz.checkBinding(identity, h).allowed;
        const reply = await handler.run({ services, identity, user, args, handlers, allowedHere, commandForm: formOn(identity) });
        return finish({ identity, user, command, args, decision: 'allowed', result: 'ok', durationMs: 0 }, reply, started);
      } catch (err) {
        if (err instanceof UserError) {
          return finish(
            { identity, user, command, args, decision: 'allowed', result: 'user-error', reason: err.message, durationMs: 0 },
            failure(identity, err.message),
            started,
          );
        }
        const ref = randomBytes(4).toString('hex');
        deps.logger.error({ err, ref, command, user: user.id }, 'command failed');
        return finish(
          { identity, user, command, args, decision: 'allowed', result: 'failed', reason: (err as Error).message, ref, durationMs: 0 },
          errorReply(`\`${command}\` failed (ref ${ref}).`),
          started,
        );
      }
    },
  };
}

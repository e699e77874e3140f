import { createHash } from 'node:crypto';
import type { AlertsConfig, ReceiverConfig } from '../config-schema.ts';
import type { Destination } from './types.ts';

const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

/**
 * The destinations of a receiver for one group. With `owner_routing` and an owner channel, Slack
 * destinations post to that channel and DingTalk destinations to the robot of that name in
 * `alerts.robots` (when there is one); console and webhook destinations are unchanged.
 */
export function destinationsFor(receiver: ReceiverConfig, owner: string | undefined, robots: AlertsConfig['robots']): Destination[] {
  const out: Destination[] = [];
  const routed = receiver.owner_routing && owner ? owner : undefined;
  if (receiver.console) out.push({ kind: 'console', key: 'console', config: {} });
  if (receiver.webhook) out.push({ kind: 'webhook', key: `webhook-${short(receiver.webhook.url)}`, config: { ...receiver.webhook } });
  if (receiver.slack) {
    const channel = routed ?? receiver.slack.channel;
    out.push({ kind: 'slack', key: `slack-${short(channel)}`, config: { ...receiver.slack, channel } });
  }
  if (receiver.dingtalk) {
    const robot = routed ? robots[routed] : undefined;
    const cfg = robot ?? receiver.dingtalk;
    out.push({ kind: 'dingtalk', key: `dingtalk-${short(cfg.accessToken ?? cfg.webhook ?? '')}`, config: { ...cfg } });
  }
  return out;
}

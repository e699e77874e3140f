import { describe, expect, it } from 'vitest';
import type { Notification } from '../../../alerts/notifiers/types.ts';
import { renderSlackNotification } from '../../../alerts/notifiers/slack-notification.ts';
import { renderNotification } from '../../../alerts/render/notification.ts';
import { kubeAlert } from '../../../kube/alerts.ts';
import { stormAlert } from '../../../kube/storm-alert.ts';
import { defaultStormOptions } from '../../../kube/storm.ts';
import { renderText } from '../../../platforms/console/render-text.ts';
import { renderDingTalk } from '../../../platforms/dingtalk/render.ts';
import { renderIds, testNotification } from '../../helpers/notification.ts';

const migrated = (ipKept: boolean) =>
  kubeAlert({
    alertname: 'KubePodMigrated',
    cluster: 'c',
    severity: 'warning',
    namespace: 'payments',
    pod: 'mysql-1',
    node: 'node-05',
    workload: 'StatefulSet/mysql',
    reason: 'node-failure',
    labels: { from_node: 'node-17' },
    summary: 'payments/mysql-1 moved from node-17 to node-05 (node failure)',
    description: 'long text',
    annotations: {
      from_node: 'node-17',
      to_node: 'node-05',
      old_ip: '10.16.1.29',
      new_ip: ipKept ? '10.16.1.29' : '10.244.5.7',
      ip_kept: String(ipKept),
      reason_detail: 'taint-manager',
      short_seconds: '42',
    },
    startsAt: Date.now(),
  });

const notification = (alerts: ReturnType<typeof migrated>[]): Notification =>
  testNotification({
    ...renderIds,
    groupLabels: { alertname: alerts[0]!.labels.alertname! },
    firing: alerts,
    counts: { firing: alerts.length, resolved: 0 },
    decidedAt: new Date().toISOString(),
  });

const platforms = (n: Notification) => {
  const slack = renderSlackNotification(n);
  return {
    console: renderText(renderNotification(n)),
    dingtalk: JSON.stringify(renderDingTalk(renderNotification(n))),
    slack: JSON.stringify(slack.blocks),
  };
};

describe('what a Kubernetes notice means, on every platform', () => {
  it('a migration shows from → to node, cause, IP changed old → new and short', () => {
    for (const [where, text] of Object.entries(platforms(notification([migrated(false)])))) {
      expect(text, where).toContain('node-17 → node-05');
      expect(text, where).toContain('cause node-failure, taint-manager');
      expect(text, where).toContain('IP 10.16.1.29 → 10.244.5.7');
      expect(text, where).toContain('one pod short 42s');
    }
  });

  it('a migration that kept its IP says so', () => {
    for (const [where, text] of Object.entries(platforms(notification([migrated(true)]))))
      expect(text, where).toContain('IP kept 10.16.1.29');
  });

  it('a storm shows its nodes, zones and eviction outlook', () => {
    const now = Date.now();
    const storm = stormAlert({
      cluster: 'c',
      id: 'storm-1',
      since: now - 10_000,
      now,
      status: 'firing',
      podsOnNodes: 40,
      opts: { ...defaultStormOptions, listNodes: 2 },
      state: {
        active: true,
        id: 'storm-1',
        since: now - 10_000,
        total: 9,
        notReady: new Set(['node-01', 'node-02', 'node-03', 'node-04']),
        zones: [
          { zone: 'a', down: 3, total: 3 },
          { zone: 'b', down: 1, total: 3 },
          { zone: 'c', down: 0, total: 3 },
        ],
      },
    });
    expect(storm.annotations.evictions).toBe('imminent');
    for (const [where, text] of Object.entries(platforms(notification([storm])))) {
      expect(text, where).toContain('NotReady 4/9: node-01, node-02 and 2 more');
      expect(text, where).toContain('zones a 3/3, b 1/3');
      expect(text, where).toContain('evictions imminent');
    }
  });
});

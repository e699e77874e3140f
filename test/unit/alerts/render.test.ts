import { describe, expect, it } from 'vitest';
import { renderText } from '../../../platforms/console/render-text.ts';
import type { Alert } from '../../../alerts/model.ts';
import type { Notification } from '../../../alerts/notifiers/types.ts';
import { neutralise, renderNotification } from '../../../alerts/render/notification.ts';
import { renderSlackNotification } from '../../../alerts/notifiers/slack-notification.ts';
import { renderDingTalk } from '../../../platforms/dingtalk/render.ts';
import { renderSlackReply } from '../../../platforms/slack/render.ts';
import { width } from '../../../core/reply.ts';
import { renderIds, testNotification } from '../../helpers/notification.ts';

const alert = (name: string, extra: Partial<Alert> = {}): Alert => ({
  source: 'test',
  fingerprint: name,
  status: 'firing',
  severity: 'warning',
  labels: { alertname: name },
  annotations: { summary: `${name} <!channel> @all` },
  startsAt: new Date(Date.now() - 90_000).toISOString(),
  subject: { namespace: 'db', pod: 'db-0', node: 'n1' },
  links: { runbook: 'http://127.0.0.1/rb' },
  ...extra,
});

const base: Notification = testNotification({
  ...renderIds,
  firing: [alert('DiskFull', { severity: 'critical' })],
  counts: { firing: 40, resolved: 3 },
  knowledge: [{ title: '磁盘满了怎么办', url: 'http://127.0.0.1/kb/disk', id: 'disk' }],
  lastResolution: { text: 'cleaned /var/log', author: 'li', at: '2026-11-01T10:00:00Z' },
  decidedAt: new Date().toISOString(),
});

describe('notification rendering', () => {
  it('shows severity, counts, the storm remainder, subject, links, last time and actions', () => {
    const text = renderText(renderNotification(base));
    expect(text).toContain('🔴 [FIRING:40] alertname=DiskFull');
    expect(text).toContain('ref ab12cd');
    expect(text).toContain('db/db-0');
    expect(text).toContain('… and 42 more');
    expect(text).toContain('磁盘满了怎么办: http://127.0.0.1/kb/disk');
    expect(text).toContain('runbook: http://127.0.0.1/rb');
    expect(text).toMatch(/last time: cleaned \/var\/log \(by li, \d+ d( \d+ h)? ago \(/);
    expect(text).toContain('[Ack: ack ab12cd]');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toMatch(/@all\b/);
  });
  it('an acked or resolved incident says so and offers no ack button', () => {
    const acked = renderText(renderNotification({ ...base, acked: { by: 'alice', at: '2026-11-26T10:00:00Z' } }));
    expect(acked).toContain('acked by alice');
    expect(acked).not.toContain('[Ack:');
    const resolved = renderNotification({
      ...base,
      status: 'resolved',
      firing: [],
      resolved: [alert('DiskFull', { status: 'resolved' })],
      counts: { firing: 0, resolved: 1 },
    });
    expect(renderText(resolved)).toContain('✅ [RESOLVED]');
    expect(resolved.blocks.some((b) => b.kind === 'actions')).toBe(false);
  });
  it('neutralises mass mentions and link syntax', () => {
    expect(neutralise('<!here> hi <http://x|y> @channel')).toBe('here hi ‹http://x|y› @\u200bchannel');
  });
  it('gives the Silence button one meaning on console, DingTalk and Slack: the group labels for 2h, said in its confirmation', () => {
    const n: Notification = { ...base, groupLabels: { alertname: 'DiskFull', namespace: 'db' } };
    const command = 'silence alertname=DiskFull namespace=db 2h "from ab12cd"';
    const confirm = 'mutes alerts matching alertname=DiskFull, namespace=db for 2h, in every channel';
    const console = renderText(renderNotification(n));
    expect(console).toContain(`[Silence 2h: ${command}]`);
    expect(console).toContain(`Silence 2h: ${confirm}`);
    const dingtalk = renderDingTalk(renderNotification(n));
    expect(dingtalk.msgtype).toBe('actionCard');
    if (dingtalk.msgtype !== 'actionCard') return;
    expect(dingtalk.actionCard.btns.find((b) => b.title === 'Silence 2h')?.actionURL).toBe(
      `dtmd://dingtalkclient/sendMessage?content=${encodeURIComponent(command)}`,
    );
    expect(dingtalk.actionCard.text).toContain(`Silence 2h: ${confirm}`);
    type Button = { text: { text: string }; value?: string; confirm?: { text: { text: string } } };
    const buttonsOf = (blocks: unknown[]) =>
      blocks.flatMap((b) => ((b as { type: string }).type === 'actions' ? (b as { elements: Button[] }).elements : []));
    for (const blocks of [renderSlackNotification(n).blocks, renderSlackReply(renderNotification(n))[0]!.blocks]) {
      const silence = buttonsOf(blocks).find((b) => b.text.text === 'Silence 2h');
      expect(silence?.value).toBe(command);
      expect(silence?.confirm?.text.text).toBe(confirm);
      // Resolution sits in the same row as Ack and Silence.
      expect(buttonsOf(blocks).map((b) => b.text.text)).toEqual(['Ack', 'Silence 2h', 'Resolution']);
      expect(blocks.filter((b) => (b as { type: string }).type === 'actions')).toHaveLength(1);
    }
  });

  it("states a storm's shared summary once and lists one affected pod per line", () => {
    const pods = Array.from({ length: 5 }, (_, i) =>
      alert('KubePodNotReady', {
        fingerprint: `fp${i}`,
        annotations: { summary: 'Pod has been NotReady for more than 15 minutes.' },
        subject: { namespace: 'shop', pod: `cart-${i}`, node: 'n1' },
      }),
    );
    const n: Notification = { ...base, groupLabels: { alertname: 'KubePodNotReady' }, firing: pods, counts: { firing: 12, resolved: 0 } };
    const text = renderText(renderNotification(n));
    expect(text.split('Pod has been NotReady').length - 1).toBe(1);
    for (let i = 0; i < 5; i++) expect(text).toMatch(new RegExp(`^• shop/cart-${i} on n1 · 1 min 30 s ago$`, 'm'));
    expect(text).toContain('… and 7 more');
    const slack = JSON.stringify(renderSlackNotification(n).blocks);
    expect(slack.split('Pod has been NotReady').length - 1).toBe(1);
    expect(slack).toContain('• shop/cart-4 on n1');
  });

  it('shows times as relative plus the local time in the configured zone, and labelled links', () => {
    const now = Date.parse('2026-11-27T10:00:00Z');
    const n: Notification = { ...base, acked: { by: 'alice', at: '2026-11-27T09:57:00Z' } };
    const text = renderText(renderNotification(n, { now, timeZone: 'Asia/Shanghai' }));
    expect(text).toContain('acked by alice 3 min ago (17:57 GMT+8)');
    expect(text).toContain('last time: cleaned /var/log (by li, 26 d ago (Nov 1 18:00 GMT+8))');
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT/);
    const slack = renderSlackReply(renderNotification(n, { now }))[0]!;
    expect(JSON.stringify(slack.blocks)).toContain('<http://127.0.0.1/kb/disk|磁盘满了怎么办>');
    const md = renderDingTalk(renderNotification(n, { now }));
    expect(md.msgtype === 'actionCard' && md.actionCard.text).toContain(
      '[磁盘满了怎么办](http://127.0.0.1/kb/disk) · [runbook](http://127.0.0.1/rb)',
    );
  });

  it('makes relative knowledge links absolute against the public URL', () => {
    const n: Notification = { ...base, knowledge: [{ title: 'Disk', url: '', id: 'disk' }] };
    const text = renderText(renderNotification(n, { publicUrl: 'http://127.0.0.1:18088' }));
    expect(text).toContain('Disk: http://127.0.0.1:18088/kb/disk');
  });

  it('keeps every console line of a wide incident within 100 columns', () => {
    const wide = alert('DiskFull', {
      annotations: { summary: `disk ${'very '.repeat(40)}full` },
      subject: { namespace: 'a'.repeat(60), pod: 'b'.repeat(60) },
    });
    const text = renderText(renderNotification({ ...base, firing: [wide, alert('Other')], groupLabels: {} }));
    const table = text.split('\n').filter((l) => l.startsWith('firing') || l.startsWith('status'));
    expect(table.length).toBeGreaterThan(0);
    for (const line of table) expect(width(line)).toBeLessThanOrEqual(100);
  });
});

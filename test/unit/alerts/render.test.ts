import { describe, expect, it } from 'vitest';
import { renderText } from '../../../platforms/console/render-text.ts';
import type { Alert } from '../../../alerts/model.ts';
import type { Notification } from '../../../alerts/notifiers/types.ts';
import { neutralise, renderNotification } from '../../../alerts/render/notification.ts';
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
    expect(text).toContain('last time: cleaned /var/log (by li, 2026-11-01)');
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
});

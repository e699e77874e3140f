/**
 * Test fixtures for the alert model: one firing alert and one notification with fixed values;
 * each test overrides only the fields it is about.
 */
import type { Alert } from '../../alerts/model.ts';
import type { Notification } from '../../alerts/notifiers/types.ts';

/** `DiskFull` firing on prod/db-0 (critical, fingerprint `a1b2c3d4e5f60718`). */
export function testAlert(over: Partial<Alert> = {}): Alert {
  return {
    source: 'alertmanager',
    fingerprint: 'a1b2c3d4e5f60718',
    status: 'firing',
    severity: 'critical',
    labels: { alertname: 'DiskFull', namespace: 'prod' },
    annotations: { summary: 'disk almost full' },
    startsAt: '2026-11-26T22:00:00Z',
    subject: { namespace: 'prod', pod: 'db-0', node: 'node-1', ip: '10.0.0.7' },
    links: {},
    ...over,
  };
}

/** Notification `n-1` (seq 1) of incident `i-1` (ref `7f3a`), group `g-1` of receiver `team-db`, nothing in it yet. */
export function testNotification(over: Partial<Notification> = {}): Notification {
  return {
    id: 'n-1',
    receiver: 'team-db',
    groupKey: 'g-1',
    seq: 1,
    incidentId: 'i-1',
    ref: '7f3a',
    groupLabels: { alertname: 'DiskFull' },
    status: 'firing',
    firing: [],
    resolved: [],
    counts: { firing: 0, resolved: 0 },
    knowledge: [],
    decidedAt: '2026-11-26T22:00:30Z',
    ...over,
  };
}

/** The ids the rendering tests use: incident `g.1` (ref `ab12cd`) of group `g`, receiver `ops`. */
export const renderIds = { id: 'g.1', receiver: 'ops', groupKey: 'g', incidentId: 'g.1', ref: 'ab12cd', seq: 1 } as const;

import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../alerts/model.ts';
import { fingerprintOf } from '../../../alerts/model.ts';
import { UserError } from '../../../core/errors.ts';
import { createKnowledgeBase, formatResolution, type KnowledgeBaseOptions } from '../../../knowledge/knowledge-base.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function alertOf(labels: Record<string, string>, over: Partial<Alert> = {}): Alert {
  return {
    source: 'kubernetes',
    fingerprint: fingerprintOf(labels),
    status: 'firing',
    severity: 'warning',
    labels,
    annotations: {},
    startsAt: '2026-11-26T10:00:00Z',
    subject: {},
    links: {},
    ...over,
  };
}

describe('knowledge base with notes in Redis', () => {
  let redis: Redis;
  let keyPrefix: string;
  const open = (extra: Partial<KnowledgeBaseOptions> = {}) => createKnowledgeBase({ redis, keyPrefix, ...extra });

  beforeAll(() => {
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  });
  afterEach(async () => {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    keyPrefix = `test:kb:${randomUUID()}:`;
  });

  it('loads the built-in articles plus extra folders', async () => {
    const kb = await open({ dirs: [path.resolve('test/fixtures/knowledge/valid')] });
    expect(kb.get('container-oom-killed')?.lang).toBe('zh');
    expect(kb.get('oom-generic')).toBeDefined();
    expect(kb.problems).toEqual([]);
    const broken = await open({ builtinDir: null, dirs: [path.resolve('test/fixtures/knowledge/duplicate-id')] });
    expect(broken.articles.map((a) => a.title)).toEqual(['First']);
    expect(broken.problems.map((p) => p.kind)).toEqual(['duplicate-id']);
  });

  it('builds links from the public base URL, with the alert runbook first', async () => {
    const kb = await open({ publicBaseUrl: 'https://firstmate.example.com/', maxLinks: 2 });
    const alert = alertOf(
      { alertname: 'KubePodCrashLooping', reason: 'BackOff', name: 'mysql-2' },
      {
        annotations: { runbook_url: 'https://runbooks.example.com/crashloop' },
      },
    );
    expect(kb.linksFor(alert)).toEqual([
      { title: 'Runbook', url: 'https://runbooks.example.com/crashloop' },
      { title: 'Pod crash looping (CrashLoopBackOff)', url: 'https://firstmate.example.com/kb/pod-crash-looping', id: 'pod-crash-looping' },
      {
        title: expect.stringContaining('StatefulSet'),
        url: 'https://firstmate.example.com/kb/statefulset-delete-instance-by-ip',
        id: 'statefulset-delete-instance-by-ip',
      },
    ]);
  });

  it('uses localhost:8080 by default, ignores unsafe runbook URLs, and links nothing for unknown alerts', async () => {
    const kb = await open();
    const links = kb.linksFor(
      alertOf({ alertname: 'KubePodEvicted', reason: 'Evicted' }, { annotations: { runbook_url: 'javascript:alert(1)' } }),
    );
    expect(links).toEqual([
      {
        title: expect.stringContaining('Kubelet pressure eviction'),
        url: 'http://localhost:8080/kb/kubelet-pressure-eviction',
        id: 'kubelet-pressure-eviction',
      },
    ]);
    expect(kb.linksFor(alertOf({ alertname: 'SomethingElse' }))).toEqual([]);
    expect(kb.linksFor(alertOf({ alertname: 'SomethingElse' }, { annotations: { runbook_url: 'https://wiki.example.com/x' } }))).toEqual([
      { title: 'Runbook', url: 'https://wiki.example.com/x' },
    ]);
  });

  it('keeps notes across a restart and shows them as the last resolution of the next alert', async () => {
    const first = alertOf({ alertname: 'KubeContainerOOMKilled', reason: 'OOMKilling', namespace: 'shop', process: 'java' });
    const kb1 = await open();
    expect(await kb1.lastResolution(first)).toBeUndefined();
    const note = await kb1.addNote({
      ref: { fingerprint: first.fingerprint },
      alert: first,
      text: '把 limit 从 1Gi 调到 2Gi',
      author: 'alice',
      at: new Date('2026-11-20T08:00:00Z'),
    });
    expect(note.articleIds).toEqual(['container-oom-killed']);

    const kb2 = await open();
    const again = alertOf(first.labels);
    expect(await kb2.lastResolution(again)).toEqual({
      text: '把 limit 从 1Gi 调到 2Gi',
      author: 'alice',
      at: '2026-11-20T08:00:00.000Z',
      via: 'fingerprint',
    });
    expect(formatResolution((await kb2.lastResolution(again))!)).toBe('last time: 把 limit 从 1Gi 调到 2Gi (by alice, 2026-11-20)');

    const sibling = alertOf({ alertname: 'KubeContainerOOMKilled', reason: 'OOMKilling', namespace: 'billing', process: 'node' });
    expect(await kb2.lastResolution(sibling)).toMatchObject({ author: 'alice', via: 'alertname' });
    expect((await kb2.notesFor('container-oom-killed')).map((n) => n.text)).toEqual(['把 limit 从 1Gi 调到 2Gi']);
  });

  it('prefers the newest note, and the same fingerprint over the same alertname', async () => {
    const kb = await open();
    const a = alertOf({ alertname: 'NodeTCPRetransHigh', instance: 'n1' });
    const b = alertOf({ alertname: 'NodeTCPRetransHigh', instance: 'n2' });
    await kb.addNote({ ref: {}, alert: a, text: 'old fix on n1', author: 'bob', at: new Date('2026-11-01T00:00:00Z') });
    await kb.addNote({ ref: {}, alert: a, text: 'new fix on n1', author: 'bob', at: new Date('2026-11-10T00:00:00Z') });
    await kb.addNote({ ref: { alertname: 'NodeTCPRetransHigh' }, text: 'fix by name', author: 'carol', at: '2026-11-20T00:00:00Z' });
    expect((await kb.lastResolution(a))?.text).toBe('new fix on n1');
    expect((await kb.lastResolution(b))?.text).toBe('fix by name');
    expect((await kb.notesFor('tcp-retransmission-high')).map((n) => n.text)).toEqual(['fix by name', 'new fix on n1', 'old fix on n1']);
  });

  it('attaches notes given by fingerprint to the articles of the alert it finds', async () => {
    const alert = alertOf({ alertname: 'KubePodEvicted', reason: 'Evicted', resource: 'ephemeral-storage' });
    const kb = await open({ findAlert: async (fp) => (fp === alert.fingerprint ? alert : undefined) });
    const ref = await kb.resolveRef(alert.fingerprint);
    expect(ref).toEqual({ fingerprint: alert.fingerprint });
    const note = await kb.addNote({ ref, text: 'cleaned /var/log', author: 'dave' });
    expect(note).toMatchObject({
      fingerprint: alert.fingerprint,
      alertname: 'KubePodEvicted',
      articleIds: ['node-disk-pressure', 'kubelet-pressure-eviction'],
    });
  });

  it('reads chat references and rejects bad ones with a clear message', async () => {
    const kb = await open();
    expect(await kb.resolveRef('node-disk-pressure')).toEqual({ articleId: 'node-disk-pressure' });
    expect(await kb.resolveRef('0123456789abcdef')).toEqual({ fingerprint: '0123456789abcdef' });
    expect(await kb.resolveRef('KubeNodeNotReady')).toEqual({ alertname: 'KubeNodeNotReady' });
    await expect(kb.resolveRef('no-such-article')).rejects.toThrow(UserError);
    await expect(kb.addNote({ ref: { articleId: 'nope' }, text: 'x', author: 'a' })).rejects.toThrow(/no article "nope"/);
    await expect(kb.addNote({ ref: { alertname: 'X' }, text: '   ', author: 'a' })).rejects.toThrow(/the note is empty/);
    await expect(kb.addNote({ ref: {}, text: 'x', author: 'a' })).rejects.toThrow(
      new UserError('a note needs an alert fingerprint, an alertname or an article'),
    );
    await expect(kb.addNote({ ref: { alertname: 'X' }, text: 'x', author: 'a', at: 'yesterday' })).rejects.toThrow(/not a valid date/);
  });

  it('exports notes as markdown, with drafts for alerts without an article', async () => {
    const kb = await open();
    await kb.addNote({
      ref: { articleId: 'tcp-connection-states' },
      text: 'raised ip_local_port_range',
      author: 'erin',
      at: new Date('2026-11-02T09:30:00Z'),
    });
    await kb.addNote({
      ref: { alertname: 'BackupJobFailed' },
      text: 'NFS was full; cleaned old backups',
      author: 'frank',
      at: new Date('2026-11-03T10:00:00Z'),
    });
    const one = await kb.exportNotes('tcp-connection-states');
    expect(one).toContain('# Notes for TCP connections piling up');
    expect(one).toContain('## 2026-11-02 09:30 UTC — erin\n\nraised ip_local_port_range');
    const all = await kb.exportNotes('all');
    expect(all).toContain('## TCP connections piling up (TIME_WAIT / CLOSE_WAIT) · TCP 连接状态堆积 (kb:tcp-connection-states)');
    expect(all).toMatch(
      /## Draft article for BackupJobFailed\n\n````markdown\n---\nid: backup-job-failed\ntitle: BackupJobFailed\n[\s\S]*match:\n {2}- alertname: BackupJobFailed\n---[\s\S]*NFS was full/,
    );
    await expect(kb.exportNotes('nope')).rejects.toThrow(UserError);
  });
});

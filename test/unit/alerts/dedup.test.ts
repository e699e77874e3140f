import { describe, expect, it } from 'vitest';
import { isFlapping, needsUpdate, type NflogEntry } from '../../../alerts/pipeline/dedup.ts';
import { notifyBackoff } from '../../../alerts/pipeline/notify.ts';
import { RetryableError } from '../../../alerts/notifiers/types.ts';
import { retryAfterMs } from '../../../alerts/notifiers/webhook.ts';
import { tokenCheck, bearerToken } from '../../../alerts/auth.ts';

const now = 1_000_000;
const set = (...xs: string[]) => new Set(xs);
const base = { sendResolved: true, repeatIntervalMs: 60_000, now };
const entry = (firing: string[], resolved: string[] = [], at = now - 1000, ackedBy?: string): NflogEntry => ({
  firing,
  resolved,
  at,
  ...(ackedBy ? { ackedBy } : {}),
});

describe('Alertmanager dedup decision (needsUpdate)', () => {
  it('first notification only when something fires', () => {
    expect(needsUpdate({ ...base, firing: set('a'), resolved: set() })).toEqual({ notify: true, reason: 'first' });
    expect(needsUpdate({ ...base, firing: set(), resolved: set('a') }).notify).toBe(false);
  });
  it('a new firing alert notifies; one fewer firing does not by itself', () => {
    expect(needsUpdate({ ...base, entry: entry(['a']), firing: set('a', 'b'), resolved: set() }).reason).toBe('firing-changed');
    expect(needsUpdate({ ...base, sendResolved: false, entry: entry(['a', 'b']), firing: set('a'), resolved: set('b') }).notify).toBe(
      false,
    );
  });
  it('resolved changes notify only with send_resolved', () => {
    expect(needsUpdate({ ...base, entry: entry(['a', 'b']), firing: set('a'), resolved: set('b') }).reason).toBe('resolved-changed');
    expect(needsUpdate({ ...base, entry: entry(['a'], ['b']), firing: set('a'), resolved: set('b') }).reason).toBe('unchanged');
  });
  it('all resolved notifies when the receiver knew of firing alerts, whatever send_resolved says', () => {
    expect(needsUpdate({ ...base, sendResolved: false, entry: entry(['a']), firing: set(), resolved: set('a') }).reason).toBe(
      'all-resolved',
    );
    expect(needsUpdate({ ...base, entry: entry([]), firing: set(), resolved: set('a') }).notify).toBe(false);
  });
  it('repeats after repeat_interval, unless acked; an ack is announced once', () => {
    expect(needsUpdate({ ...base, entry: entry(['a'], [], now - 60_000), firing: set('a'), resolved: set() }).reason).toBe('repeat');
    expect(needsUpdate({ ...base, entry: entry(['a'], [], now - 59_000), firing: set('a'), resolved: set() }).notify).toBe(false);
    expect(needsUpdate({ ...base, entry: entry(['a'], [], now - 60_000), firing: set('a'), resolved: set(), ackedBy: 'bo' }).reason).toBe(
      'ack',
    );
    expect(
      needsUpdate({ ...base, entry: entry(['a'], [], now - 600_000, 'bo'), firing: set('a'), resolved: set(), ackedBy: 'bo' }).reason,
    ).toBe('acked');
    expect(needsUpdate({ ...base, entry: entry(['a'], [], now, 'bo'), firing: set('a', 'b'), resolved: set(), ackedBy: 'bo' }).reason).toBe(
      'firing-changed',
    );
  });
  it('flapping counts status changes inside the window', () => {
    expect(isFlapping([now - 100, now - 200, now - 300], now, 3, 1000)).toBe(true);
    expect(isFlapping([now - 5000, now - 200, now - 300], now, 3, 1000)).toBe(false);
    expect(isFlapping([now, now, now], now, 0, 1000)).toBe(false);
  });
});

describe('delivery helpers', () => {
  const cfg = { backoff: 1000, maxBackoff: 10_000 } as Parameters<typeof notifyBackoff>[0];
  it('backs off exponentially with a cap and honours Retry-After', () => {
    expect(notifyBackoff(cfg, 1)).toBeGreaterThanOrEqual(800);
    expect(notifyBackoff(cfg, 1)).toBeLessThanOrEqual(1200);
    expect(notifyBackoff(cfg, 10)).toBeLessThanOrEqual(12_000);
    expect(notifyBackoff(cfg, 1, new RetryableError('slow down', 30_000))).toBe(30_000);
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
  it('bearer tokens: header or query, constant-time compare, open when none configured', () => {
    expect(bearerToken({ authorization: 'Bearer abc' }, {})).toBe('abc');
    expect(bearerToken({}, { token: 'q' })).toBe('q');
    expect(tokenCheck([])(undefined)).toBe(false);
    expect(tokenCheck(['secret-123'])('secret-123')).toBe(true);
    expect(tokenCheck(['secret-123'])('secret-124')).toBe(false);
    expect(tokenCheck(['secret-123'])(undefined)).toBe(false);
  });
});

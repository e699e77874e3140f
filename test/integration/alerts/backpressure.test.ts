import { afterEach, describe, expect, it } from 'vitest';
import { genericAlert, sleep, startHub, type Hub } from '../../helpers/alert-hub.ts';

let hub: Hub | undefined;
afterEach(async () => {
  await hub?.stop();
  hub = undefined;
});

describe('intake backpressure and metrics', () => {
  it('stores each accepted delivery before answering; answers 429 with Retry-After over the backlog limit, and counts deliveries', async () => {
    hub = await startHub({
      alerts: {
        workers: { enabled: false },
        limits: { backlog: 3, retryAfterSeconds: 7 },
        sources: { tokens: { generic: ['generic-token-1'] } },
      },
    });
    const auth = { authorization: 'Bearer generic-token-1' };
    const { keys, queues } = hub.deps.alerts.pipeline;
    for (let i = 0; i < 3; i++) {
      expect((await hub.post('/webhooks/generic', genericAlert(`B${i}`), auth)).status).toBe(202);
      // No worker runs: the alert is in its group's state when the 202 comes.
      expect(await hub.deps.redis.scard(keys.groups)).toBe(i + 1);
    }
    // Ingest jobs of an earlier version, waiting for a worker, count as the ingest backlog.
    for (let i = 0; i < 3; i++) await queues.ingest.add('ingest', { source: 'generic', acceptedAt: Date.now(), alerts: [] });
    await sleep(150);
    const refused = await hub.post('/webhooks/generic', genericAlert('B3'), auth);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect(refused.body.error).toMatch(/ingest backlog/);
    expect((await hub.post('/webhooks/generic', genericAlert('B4'))).status).toBe(401);
    expect(await hub.deps.redis.scard(keys.groups)).toBe(3);
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toMatch(/firstmate_alerts_accepted_total\{source="generic"\} 3/);
    expect(metrics).toMatch(/firstmate_alerts_rejected_total\{source="generic",reason="backlog"\} 1/);
    expect(metrics).toMatch(/firstmate_alerts_rejected_total\{source="generic",reason="credentials"\} 1/);
  });
});

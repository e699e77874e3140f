import { afterEach, describe, expect, it } from 'vitest';
import { genericAlert, sleep, startHub, type Hub } from '../../helpers/alert-hub.ts';

let hub: Hub | undefined;
afterEach(async () => {
  await hub?.stop();
  hub = undefined;
});

describe('intake backpressure and metrics', () => {
  it('answers 429 with Retry-After over the backlog limit, and counts accepted and rejected deliveries', async () => {
    hub = await startHub({
      alerts: {
        workers: { enabled: false },
        limits: { backlog: 3, retryAfterSeconds: 7 },
        sources: { tokens: { generic: ['generic-token-1'] } },
      },
    });
    const auth = { authorization: 'Bearer generic-token-1' };
    for (let i = 0; i < 3; i++) expect((await hub.post('/webhooks/generic', genericAlert(`B${i}`), auth)).status).toBe(202);
    await sleep(150);
    const refused = await hub.post('/webhooks/generic', genericAlert('B3'), auth);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect(refused.body.error).toMatch(/backlog/);
    expect((await hub.post('/webhooks/generic', genericAlert('B4'))).status).toBe(401);
    expect(await hub.deps.alerts.pipeline.queues.ingest.getWaitingCount()).toBe(3);
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toMatch(/firstmate_alerts_accepted_total\{source="generic"\} 3/);
    expect(metrics).toMatch(/firstmate_alerts_rejected_total\{source="generic",reason="backlog"\} 1/);
    expect(metrics).toMatch(/firstmate_alerts_rejected_total\{source="generic",reason="credentials"\} 1/);
  });
});

import { randomBytes } from 'node:crypto';
import type { DeliveryRecord } from './pipeline/types.ts';

/**
 * `firstmate send-test-alert`: posts one sample alert to a running instance's generic webhook,
 * waits until the pipeline delivered it (polling `GET /api/alerts/:fingerprint/deliveries`),
 * prints where it went, and resolves it again. Answers the deliveries (empty on timeout).
 */
export async function sendTestAlert(o: {
  url: string;
  token?: string;
  timeoutMs: number;
  write: (line: string) => void;
  resolve?: boolean;
}): Promise<DeliveryRecord[]> {
  const base = o.url.replace(/\/+$/, '');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
  };
  const id = randomBytes(4).toString('hex');
  const fingerprint = `firstmate-test-${id}`;
  const alert = {
    title: 'FirstmateTestAlert',
    severity: 'info',
    fingerprint,
    source: 'firstmate-cli',
    labels: { alertname: 'FirstmateTestAlert', test_id: id },
    annotations: {
      summary: `test alert ${id} from firstmate send-test-alert`,
      description: 'Sent to check that alerts reach their receivers. It resolves by itself.',
    },
  };
  const post = async (body: unknown) => {
    const res = await fetch(`${base}/webhooks/generic`, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status !== 202) throw new Error(`${base}/webhooks/generic answered ${res.status}: ${text.slice(0, 300)}`);
  };
  await post(alert);
  o.write(`sent test alert ${id} (fingerprint ${fingerprint}) to ${base}; waiting for delivery (group_wait applies)…`);
  const deadline = Date.now() + o.timeoutMs;
  let deliveries: DeliveryRecord[] = [];
  while (Date.now() < deadline) {
    const res = await fetch(`${base}/api/alerts/${fingerprint}/deliveries`, { headers });
    if (res.status === 401) throw new Error('the alert API refused the token (alerts.apiTokens)');
    if (res.ok) deliveries = ((await res.json()) as { deliveries: DeliveryRecord[] }).deliveries;
    if (deliveries.length > 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (deliveries.length === 0) {
    o.write(`not delivered within ${Math.round(o.timeoutMs / 1000)}s: check \`alerts failed\`, the receivers and the route tree`);
    return deliveries;
  }
  for (const d of [...deliveries].reverse())
    o.write(`delivered: receiver ${d.receiver} → ${d.kind} ${d.channel} (message ${d.messageId}, incident ref ${d.ref}) at ${d.at}`);
  if (o.resolve !== false) await post({ ...alert, status: 'resolved' });
  return deliveries;
}

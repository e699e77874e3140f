import { afterEach, describe, expect, it } from 'vitest';
import { parseAlertmanagerApi } from '../../../../alerts/sources/alertmanager-api.ts';
import { alertmanagerBinary, startAlertmanager } from '../../../helpers/alertmanager.ts';

const bin = alertmanagerBinary();
let am: Awaited<ReturnType<typeof startAlertmanager>> | undefined;
afterEach(async () => {
  await am?.stop();
  am = undefined;
});

const parse = (body: unknown) =>
  parseAlertmanagerApi(
    {
      params: {},
      query: {},
      headers: { 'content-type': 'application/json' },
      rawBody: Buffer.from(JSON.stringify(body)),
      receivedAt: new Date(),
    },
    {},
  );

describe('POST /api/v2/alerts next to Alertmanager 0.25', () => {
  it.skipIf(!bin)(
    'drops labels with empty values as Alertmanager does: same labels, same fingerprint; none left is refused by both',
    async () => {
      am = await startAlertmanager(bin!, { route: { receiver: 'null' }, receivers: [{ name: 'null' }] });
      const posted = [
        { labels: { alertname: 'EmptyLabel', b: 'x', empty: '' } },
        { labels: { alertname: 'NoEmpty', instance: 'host-1:9100' } },
      ];
      expect(await am.post(posted)).toBe(200);
      const stored = (await fetch(`${am.url}/api/v2/alerts`).then((r) => r.json())) as Array<{
        labels: Record<string, string>;
        fingerprint: string;
      }>;
      const ours = await parse(posted);
      if (!ours.ok) throw new Error(`refused: ${JSON.stringify(ours)}`);
      const byName = (list: Array<{ labels: Record<string, string>; fingerprint: string }>) =>
        Object.fromEntries(list.map((a) => [a.labels.alertname, { labels: a.labels, fingerprint: a.fingerprint }]));
      expect(byName(ours.alerts)).toEqual(byName(stored));
      expect(byName(ours.alerts).EmptyLabel!.labels).toEqual({ alertname: 'EmptyLabel', b: 'x' });

      const onlyEmpty = [{ labels: { alertname: '' } }];
      expect(await am.post(onlyEmpty)).toBe(400);
      expect(await parse(onlyEmpty)).toMatchObject({
        ok: false,
        status: 400,
        details: [{ path: '[0].labels', message: 'at least one label pair required' }],
      });
    },
  );
});

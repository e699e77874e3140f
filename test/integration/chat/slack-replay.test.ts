import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.ts';
import { SIGNING_SECRET, startSlackFirstmate } from '../../helpers/slack-firstmate.ts';
import { buttonPress, signSlackRequest, slashCommand } from '../../helpers/slack-payloads.ts';

let fake: FakeSlack;
let bot: Awaited<ReturnType<typeof startSlackFirstmate>>;

beforeAll(async () => {
  fake = await startFakeSlack();
  bot = await startSlackFirstmate(fake, { mode: 'http', signingSecret: SIGNING_SECRET });
});
afterAll(async () => {
  await bot?.stop();
  await fake?.close();
});

/** Posts a form exactly as signed once: a replay sends the same bytes and headers again. */
function signedForm(fields: Record<string, string>) {
  const body = new URLSearchParams(fields).toString();
  const headers = { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(body, SIGNING_SECRET) };
  return async () => {
    const res = await fetch(`${bot.baseUrl}/slack/events`, { method: 'POST', headers, body });
    return { status: res.status, body: await res.text() };
  };
}

describe('Slack replay protection in HTTP mode', () => {
  it('processes a replayed slash command once: one silence, one answer', async () => {
    const send = signedForm(
      slashCommand({ text: 'silence alertname=Replayed 1h', userId: 'UALICE', responseUrl: fake.responseUrl('replay') }),
    );
    expect((await send()).status).toBe(200);
    await fake.waitFor('response_url');
    // The replay is answered only after the decision to drop it: nothing runs behind the answer.
    expect(await send()).toEqual({ status: 200, body: '' });
    const silences = (await bot.deps.alerts.silences.list()).filter((s) => s.matchers.some((m) => m.value === 'Replayed'));
    expect(silences).toHaveLength(1);
    expect(fake.calls.filter((c) => c.path === '/response/replay')).toHaveLength(1);
  });

  it('processes a replayed button press once', async () => {
    fake.calls.length = 0;
    const press = signedForm({
      payload: JSON.stringify(
        buttonPress({
          value: 'whoami',
          userId: 'UALICE',
          channelId: 'C0ALERTS',
          messageTs: '1700000000.000900',
          responseUrl: fake.responseUrl(),
        }),
      ),
    });
    expect((await press()).status).toBe(200);
    await fake.waitFor('chat.postMessage');
    expect((await press()).status).toBe(200);
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
  });
});

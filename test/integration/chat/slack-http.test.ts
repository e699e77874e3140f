import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../../helpers/fake-slack.ts';
import { SIGNING_SECRET, startSlackFirstmate } from '../../helpers/slack-firstmate.ts';
import { buttonPress, directMessage, mention, signSlackRequest, slashCommand } from '../../helpers/slack-payloads.ts';

let fake: FakeSlack;
let bot: Awaited<ReturnType<typeof startSlackFirstmate>>;

beforeAll(async () => {
  fake = await startFakeSlack();
  bot = await startSlackFirstmate(fake, { mode: 'http', signingSecret: SIGNING_SECRET, threadOverBlocks: 2 });
});
afterAll(async () => {
  await bot?.stop();
  await fake?.close();
});
beforeEach(() => {
  fake.calls.length = 0;
});

type Posted = { status: number; body: string; ms: number };

async function postSigned(
  body: string,
  contentType: string,
  opts: { secret?: string; timestamp?: number; headers?: Record<string, string> } = {},
): Promise<Posted> {
  const started = performance.now();
  const res = await fetch(`${bot.baseUrl}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...signSlackRequest(body, opts.secret ?? SIGNING_SECRET, opts.timestamp), ...opts.headers },
    body,
  });
  return { status: res.status, body: await res.text(), ms: performance.now() - started };
}
const postForm = (fields: Record<string, string>, opts?: Parameters<typeof postSigned>[2]) =>
  postSigned(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded', opts);
const postEvent = (payload: Record<string, unknown>) => postSigned(JSON.stringify(payload), 'application/json');
const postAction = (payload: Record<string, unknown>) => postForm({ payload: JSON.stringify(payload) });

/** Every mrkdwn/plain text of a posted message, joined, to assert on content. */
function textsOf(call: FakeSlackCall): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'text' && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  walk(call.params.blocks);
  return out.join('\n');
}

describe('Slack HTTP mode on /slack/events', () => {
  it('acks a signed slash command at once and answers through response_url', async () => {
    const responseUrl = fake.responseUrl('slash-1');
    const res = await postForm(slashCommand({ text: 'whoami', userId: 'UALICE', channelId: 'C0OPS', responseUrl }));
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
    const [answer] = await fake.waitFor('response_url');
    expect(answer!.path).toBe('/response/slash-1');
    expect(answer!.params.response_type).toBe('in_channel');
    expect(answer!.params.replace_original).toBe(false);
    const text = textsOf(answer!);
    expect(text).toContain('*user*\nalice');
    expect(text).toContain('*role*\noperator');
    expect(text).toContain('*platform id*\nUALICE');
    expect(typeof answer!.params.text).toBe('string');
  });

  it('refuses unknown users through the same router, only to them', async () => {
    await postForm(slashCommand({ text: 'whoami', userId: 'UMALLORY', responseUrl: fake.responseUrl() }));
    const [answer] = await fake.waitFor('response_url');
    expect(answer!.params.response_type).toBe('ephemeral');
    expect(textsOf(answer!)).toContain('not a registered firstmate user');
  });

  it('answers a mention in the channel, with the mention stripped, using the bot token', async () => {
    const payload = mention({ text: 'whoami', userId: 'UALICE', channelId: 'C0OPS' });
    expect((await postEvent(payload)).status).toBe(200);
    const [post] = await fake.waitFor('chat.postMessage');
    expect(post!.token).toBe('xoxb-test');
    expect(post!.params.channel).toBe('C0OPS');
    expect(post!.params.thread_ts).toBeUndefined();
    expect(textsOf(post!)).toContain('*channel*\nC0OPS');
  });

  it('answers long replies and errors to a mention in a thread', async () => {
    const payload = mention({ text: 'help', userId: 'UALICE' });
    await postEvent(payload);
    const [post] = await fake.waitFor('chat.postMessage');
    expect(post!.params.thread_ts).toBe((payload.event as { ts: string }).ts);
    expect(textsOf(post!)).toContain('firstmate commands');
    expect(JSON.stringify(post!.params.blocks)).toContain('```');

    fake.calls.length = 0;
    const bad = mention({ text: 'frobnicate', userId: 'UALICE' });
    await postEvent(bad);
    const [err] = await fake.waitFor('chat.postMessage');
    expect(err!.params.thread_ts).toBe((bad.event as { ts: string }).ts);
    expect(textsOf(err!)).toContain(':warning: unknown command `frobnicate`');
  });

  it('answers an event delivered twice (a Slack retry) only once', async () => {
    const payload = mention({ text: 'whoami', userId: 'UALICE' });
    expect((await postEvent(payload)).status).toBe(200);
    expect(
      (
        await postSigned(JSON.stringify(payload), 'application/json', {
          headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
        })
      ).status,
    ).toBe(200);
    await fake.waitFor('chat.postMessage');
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('answers a direct message in the DM', async () => {
    await postEvent(directMessage({ text: 'whoami', userId: 'UALICE', channelId: 'D0ALICE' }));
    const [post] = await fake.waitFor('chat.postMessage');
    expect(post!.params.channel).toBe('D0ALICE');
    expect(textsOf(post!)).toContain('*platform*\nslack');
  });

  it('runs a button command as the presser and answers in the thread of the message', async () => {
    const res = await postAction(
      buttonPress({
        value: 'whoami',
        userId: 'UALICE',
        channelId: 'C0ALERTS',
        messageTs: '1700000000.000100',
        responseUrl: fake.responseUrl(),
      }),
    );
    expect(res.status).toBe(200);
    const [post] = await fake.waitFor('chat.postMessage');
    expect(post!.params.channel).toBe('C0ALERTS');
    expect(post!.params.thread_ts).toBe('1700000000.000100');
    const text = textsOf(post!);
    expect(text).toContain('ualice pressed `whoami`');
    expect(text).toContain('*platform id*\nUALICE');
  });

  it('applies the same authorisation to button presses: refusals go only to the presser', async () => {
    await postAction(
      buttonPress({
        value: 'whoami',
        userId: 'UMALLORY',
        channelId: 'C0ALERTS',
        messageTs: '1700000000.000200',
        responseUrl: fake.responseUrl(),
      }),
    );
    const [eph] = await fake.waitFor('chat.postEphemeral');
    expect(eph!.params.user).toBe('UMALLORY');
    expect(textsOf(eph!)).toContain('not a registered firstmate user');
    expect(fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('neutralises echoed input: no broadcast, mention or link reaches Slack live', async () => {
    await postEvent(mention({ text: '<!channel> &lt;@U999&gt;', userId: 'UALICE' }));
    const [post] = await fake.waitFor('chat.postMessage');
    const text = textsOf(post!);
    expect(text).toContain('unknown command `&lt;!channel&gt;`');
    expect(JSON.stringify(post!.params)).not.toMatch(/<!channel>|<@U999>/);
  });

  it('answers the url_verification challenge', async () => {
    const res = await postEvent({ type: 'url_verification', token: 't', challenge: 'ch4ll3nge' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ challenge: 'ch4ll3nge' });
  });

  it('refuses bad, missing and stale signatures with 401 and runs nothing', async () => {
    const fields = slashCommand({ text: 'whoami', userId: 'UALICE', responseUrl: fake.responseUrl() });
    expect((await postForm(fields, { secret: 'wrong-secret' })).status).toBe(401);
    expect((await postForm(fields, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    expect((await postForm(fields, { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 })).status).toBe(401);
    const unsigned = await fetch(`${bot.baseUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    expect(unsigned.status).toBe(401);
    // A signature over a different body (tampered payload) fails too.
    const body = new URLSearchParams(fields).toString();
    const tampered = await fetch(`${bot.baseUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(body, SIGNING_SECRET) },
      body: body.replace('whoami', 'help'),
    });
    expect(tampered.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.calls).toHaveLength(0);
  });

  it('answers 400 to a signed but malformed payload', async () => {
    const res = await postSigned('{not json', 'application/json');
    expect(res.status).toBe(400);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.ts';
import { startSlackFirstmate } from '../../helpers/slack-firstmate.ts';
import { buttonPress, mention, slashCommand } from '../../helpers/slack-payloads.ts';

let fake: FakeSlack;
let bot: Awaited<ReturnType<typeof startSlackFirstmate>>;
let authTests: string[] = [];

beforeAll(async () => {
  fake = await startFakeSlack();
  bot = await startSlackFirstmate(fake, { mode: 'socket', appToken: 'xapp-test' });
  authTests = fake.callsTo('auth.test').map((c) => c.token ?? '');
});
afterAll(async () => {
  await bot?.stop();
  await fake?.close();
});
beforeEach(() => {
  fake.calls.length = 0;
});

describe('Slack Socket Mode', () => {
  it('connected with the app token through apps.connections.open and checked the bot token', async () => {
    await fake.waitForSocket();
    expect(fake.connectionsOpened).toBe(1);
    expect(authTests).toEqual(['xoxb-test']);
    const res = await fetch(`${bot.baseUrl}/slack/events`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(404);
  });

  it('acks a slash command envelope at once and posts the answer to response_url', async () => {
    const started = performance.now();
    const id = fake.sendEnvelope(
      'slash_commands',
      slashCommand({ text: 'whoami', userId: 'UALICE', responseUrl: fake.responseUrl('sock-1') }),
    );
    const ack = await fake.waitForAck(id);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(ack.envelope_id).toBe(id);
    const [answer] = await fake.waitFor('response_url');
    expect(answer!.path).toBe('/response/sock-1');
    expect(JSON.stringify(answer!.params.blocks)).toContain('*platform id*\\nUALICE');
  });

  it('acks an events_api mention and answers in the channel', async () => {
    const id = fake.sendEnvelope('events_api', mention({ text: 'whoami', userId: 'UALICE', channelId: 'C0SOCK' }));
    await fake.waitForAck(id);
    const [post] = await fake.waitFor('chat.postMessage');
    expect(post!.params.channel).toBe('C0SOCK');
    expect(post!.token).toBe('xoxb-test');
  });

  it('acks an interactive button press and runs the command as the presser', async () => {
    const id = fake.sendEnvelope(
      'interactive',
      buttonPress({
        value: 'whoami',
        userId: 'UALICE',
        channelId: 'C0SOCK',
        messageTs: '1700000000.000300',
        responseUrl: fake.responseUrl(),
      }),
    );
    await fake.waitForAck(id);
    const [post] = await fake.waitFor('chat.postMessage');
    expect(post!.params.thread_ts).toBe('1700000000.000300');
    expect(JSON.stringify(post!.params.blocks)).toContain('*user*\\nalice');
  });

  it('reconnects on its own when the socket drops', async () => {
    fake.dropSockets();
    await expect.poll(() => fake.connectionsOpened, { timeout: 15_000, interval: 100 }).toBe(2);
    await fake.waitForSocket();
    const id = fake.sendEnvelope('slash_commands', slashCommand({ text: 'whoami', userId: 'UALICE', responseUrl: fake.responseUrl() }));
    await fake.waitForAck(id);
    await fake.waitFor('response_url');
  }, 20_000);
});

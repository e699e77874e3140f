import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.ts';
import { startSlackFirstmate } from '../../helpers/slack-firstmate.ts';
import { slashCommand } from '../../helpers/slack-payloads.ts';

let fake: FakeSlack;
beforeEach(async () => {
  fake = await startFakeSlack();
});
afterEach(async () => {
  await fake.close();
});

describe('Slack start', () => {
  it('fails the start with a clear message when Slack refuses the bot token', async () => {
    fake.failNext(1, { error: 'invalid_auth' });
    await expect(startSlackFirstmate(fake, { mode: 'socket', appToken: 'xapp-test' })).rejects.toThrow(
      'slack-chat failed to start: Slack refused to connect: invalid_auth',
    );
  });

  it('keeps running and connects later when Slack is unreachable at start', async () => {
    fake.failNext(3, { status: 503 });
    const bot = await startSlackFirstmate(fake, { mode: 'socket', appToken: 'xapp-test' });
    try {
      const health = await fetch(`${bot.baseUrl}/healthz`);
      expect(health.status).toBe(200);
      await fake.waitForSocket(10_000);
      const id = fake.sendEnvelope('slash_commands', slashCommand({ text: 'whoami', userId: 'UALICE', responseUrl: fake.responseUrl() }));
      await fake.waitForAck(id);
      await fake.waitFor('response_url');
      expect(fake.callsTo('auth.test').length).toBeGreaterThanOrEqual(4);
    } finally {
      await bot.stop();
    }
  }, 20_000);

  it('turns the console chat off (enabled: auto) when Slack is configured', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (c: Buffer) => {
      printed += String(c);
    });
    const bot = await startSlackFirstmate(fake, { mode: 'http', signingSecret: 's' }, { input, output, interactive: false });
    try {
      input.write('whoami\n');
      await new Promise((r) => setTimeout(r, 300));
      expect(printed).toBe('');
    } finally {
      await bot.stop();
    }
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../alerts/model.ts';
import { createApp } from '../../../app/app.ts';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../../helpers/fake-slack.ts';
import { createTestDeps } from '../../helpers/deps.ts';
import { SIGNING_SECRET } from '../../helpers/slack-firstmate.ts';
import { buttonPress, signSlackRequest, viewSubmission } from '../../helpers/slack-payloads.ts';

let fake: FakeSlack;
let deps: Awaited<ReturnType<typeof createTestDeps>>;
let baseUrl: string;

beforeAll(async () => {
  fake = await startFakeSlack();
  deps = await createTestDeps({
    chat: {
      console: { enabled: 'auto' },
      slack: { botToken: 'xoxb-test', apiUrl: fake.apiUrl, mode: 'http', signingSecret: SIGNING_SECRET },
    },
    auth: {
      users: [
        { name: 'alice', role: 'operator', slack: ['UALICE'] },
        { name: 'vera', role: 'viewer', slack: ['UVERA'] },
      ],
      defaultRole: 'none',
      // C0QUIET takes alert handling only: notes must be refused there.
      bindings: [
        { channel: '*', allow: ['query', 'alerts', 'ops', 'admin'] },
        { platform: 'slack', channel: 'C0QUIET', allow: ['alerts'] },
      ],
    },
    alerts: {
      route: {
        receiver: 'ops',
        group_wait: '100ms',
        group_interval: '400ms',
        repeat_interval: '1h',
        group_by: ['alertname'],
        routes: [{ matchers: ['alertname=QuietDisk'], receiver: 'quiet' }],
      },
      receivers: [
        { name: 'ops', slack: { channel: 'C0ALERTS' } },
        { name: 'quiet', slack: { channel: 'C0QUIET' } },
      ],
    },
  });
  const app = createApp(deps, { input: process.stdin, output: process.stdout, interactive: false });
  await deps.lifecycle.start();
  baseUrl = `http://127.0.0.1:${app.http.port()}`;
});
afterAll(async () => {
  await deps?.stop();
  await fake?.close();
});
beforeEach(() => {
  fake.calls.length = 0;
});

async function post(path: string, body: string, contentType: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
  return { status: res.status, body: await res.text() };
}
const postInteraction = (payload: Record<string, unknown>) => {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return post('/slack/events', body, 'application/x-www-form-urlencoded', signSlackRequest(body, SIGNING_SECRET));
};

type Button = { type: string; action_id: string; value?: string; text: { text: string } };
const buttonsOf = (call: FakeSlackCall) =>
  (call.params.blocks as Array<{ type: string; elements?: Button[] }>).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
const textsOf = (call: FakeSlackCall) => JSON.stringify(call.params.blocks);

/** Posts an alert through the intake and returns the Slack alert message and its Resolution button. */
async function alertMessage(alertname: string, channel = 'C0ALERTS') {
  const res = await post(
    '/webhooks/generic',
    JSON.stringify({ title: alertname, severity: 'critical', labels: { alertname, namespace: 'db' } }),
    'application/json',
  );
  expect(res.status).toBeLessThan(300);
  const posts = await fake.waitFor('chat.postMessage', 1, 10_000);
  const message = posts.find((c) => c.params.channel === channel && String(c.params.text).includes(alertname))!;
  expect(message).toBeDefined();
  const resolution = buttonsOf(message).find((b) => b.text.text === 'Resolution')!;
  expect(resolution).toBeDefined();
  const { c: command } = JSON.parse(resolution.value!) as { c: string };
  const fingerprint = /^kb note ([0-9a-f]{16})$/.exec(command)?.[1];
  expect(fingerprint).toBeDefined();
  const alert = { fingerprint: fingerprint!, labels: { alertname } } as unknown as Alert;
  return { message, resolution, fingerprint: fingerprint!, alert };
}

/** Presses the button as `userId` and returns the modal sent to `views.open`. */
async function openForm(message: FakeSlackCall, button: Button, userId: string, channelId = 'C0ALERTS') {
  const before = fake.callsTo('views.open').length;
  const pressed = await postInteraction(
    buttonPress({
      value: button.value!,
      actionId: button.action_id,
      userId,
      channelId,
      messageTs: String((message.params as { ts?: string }).ts ?? '1700000000.000100'),
      responseUrl: fake.responseUrl(),
    }),
  );
  expect(pressed.status).toBe(200);
  const calls = await fake.waitFor('views.open', before + 1);
  return calls[before]!;
}

describe('the Resolution button on Slack alert messages', () => {
  it('opens a form, refuses a viewer, and records an operator answer as theirs', async () => {
    const { message, resolution, fingerprint, alert } = await alertMessage('DiskFull');
    expect(resolution.action_id).toMatch(/^firstmate:prompt:/);
    expect(buttonsOf(message).map((b) => b.value)).toContain('ack ' + /ref `([^`]+)`/.exec(textsOf(message))![1]);

    const open = await openForm(message, resolution, 'UVERA');
    expect(open.params.trigger_id).toBe('1.2.3');
    const view = open.params.view as {
      type: string;
      callback_id: string;
      private_metadata: string;
      blocks: Array<Record<string, unknown>>;
    };
    expect(view.type).toBe('modal');
    expect(view.callback_id).toBe('firstmate:prompt');
    expect(JSON.parse(view.private_metadata)).toEqual({ c: `kb note ${fingerprint}`, ch: 'C0ALERTS' });
    expect(JSON.stringify(view.blocks)).toContain(`kb note ${fingerprint}`);
    const input = view.blocks.find((b) => b.type === 'input') as {
      block_id: string;
      label: { text: string };
      element: { type: string; action_id: string; multiline: boolean };
    };
    expect(input.label.text).toBe('How was it resolved?');
    expect(input.element).toMatchObject({ type: 'plain_text_input', multiline: true });

    const refused = await postInteraction(
      viewSubmission({ view, userId: 'UVERA', values: { [input.block_id]: { [input.element.action_id]: 'restarted it' } } }),
    );
    expect(refused.status).toBe(200);
    expect(refused.body).toBe('');
    const [eph] = await fake.waitFor('chat.postEphemeral');
    expect(eph!.params).toMatchObject({ channel: 'C0ALERTS', user: 'UVERA' });
    expect(textsOf(eph!)).toContain('needs the operator role; you are viewer');
    expect(await deps.knowledge.lastResolution(alert)).toBeUndefined();

    fake.calls.length = 0;
    const answer = '扩容了磁盘 and removed "old" logs\nsee ticket #42';
    const saved = await postInteraction(
      viewSubmission({ view, userId: 'UALICE', values: { [input.block_id]: { [input.element.action_id]: `  ${answer}\n` } } }),
    );
    expect(saved.status).toBe(200);
    expect(saved.body).toBe('');
    const [ok] = await fake.waitFor('chat.postEphemeral');
    expect(ok!.params).toMatchObject({ channel: 'C0ALERTS', user: 'UALICE' });
    expect(textsOf(ok!)).toContain(`Noted for ${fingerprint}`);
    const stored = await deps.knowledge.lastResolution(alert);
    expect(stored).toMatchObject({ text: answer, author: 'alice', via: 'fingerprint' });
    expect(Date.now() - Date.parse(stored!.at)).toBeLessThan(60_000);
  });

  it('keeps the form open with an error for an empty answer and stores nothing', async () => {
    const { message, resolution, alert } = await alertMessage('NodeDown');
    const open = await openForm(message, resolution, 'UALICE');
    const view = open.params.view as Record<string, unknown>;
    const res = await postInteraction(viewSubmission({ view, userId: 'UALICE', values: { answer: { text: '  \n ' } } }));
    expect(res.status).toBe(200);
    const ack = JSON.parse(res.body) as { response_action: string; errors: Record<string, string> };
    expect(ack.response_action).toBe('errors');
    expect(Object.keys(ack.errors)).toEqual(['answer']);
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.callsTo('chat.postEphemeral')).toHaveLength(0);
    expect(await deps.knowledge.lastResolution(alert)).toBeUndefined();
  });

  it('runs the note in the alert channel, so a binding that refuses notes there applies', async () => {
    const { message, resolution, alert } = await alertMessage('QuietDisk', 'C0QUIET');
    const open = await openForm(message, resolution, 'UALICE', 'C0QUIET');
    const view = open.params.view as { private_metadata: string; blocks: Array<Record<string, unknown>> };
    expect(JSON.parse(view.private_metadata)).toMatchObject({ ch: 'C0QUIET' });
    const input = view.blocks.find((b) => b.type === 'input') as { block_id: string; element: { action_id: string } };
    fake.calls.length = 0;
    await postInteraction(
      viewSubmission({ view, userId: 'UALICE', values: { [input.block_id]: { [input.element.action_id]: 'freed space' } } }),
    );
    const [eph] = await fake.waitFor('chat.postEphemeral');
    expect(eph!.params).toMatchObject({ channel: 'C0QUIET', user: 'UALICE' });
    expect(textsOf(eph!)).toContain('`kb` (query) is not enabled in this channel; allowed here: alerts.');
    expect(await deps.knowledge.lastResolution(alert)).toBeUndefined();
  });

  it('tells the presser what to type when the form cannot be opened', async () => {
    const { message, resolution, fingerprint } = await alertMessage('PodCrashLooping');
    fake.failNext(1, { error: 'expired_trigger_id' });
    await openForm(message, resolution, 'UALICE');
    const [eph] = await fake.waitFor('chat.postEphemeral');
    expect(eph!.params).toMatchObject({ channel: 'C0ALERTS', user: 'UALICE' });
    expect(textsOf(eph!)).toContain('expired_trigger_id');
    expect(textsOf(eph!)).toContain(`kb note ${fingerprint} &lt;answer&gt;`);
  });
});

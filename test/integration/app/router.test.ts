import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthz } from '../../../chat/authz.ts';
import { renderText } from '../../../platforms/console/render-text.ts';
import { textReply } from '../../../core/reply.ts';
import { createRouter, type CommandOutcome } from '../../../chat/router.ts';
import { UserError } from '../../../core/errors.ts';
import { handlers as registered } from '../../../handlers/index.ts';
import type { Handler, Identity } from '../../../handlers/types.ts';
import { createTestDeps } from '../../helpers/deps.ts';
import { createCommandServices } from '../../../app/services.ts';

type TestDeps = Awaited<ReturnType<typeof createTestDeps>>;

const echo: Handler = {
  name: 'echo',
  role: 'viewer',
  usage: 'echo <words…>',
  summary: 'repeat',
  run: async ({ args }) => textReply(args.map((a) => `<${a}>`).join(' ')),
};
const cordon: Handler = {
  name: 'cordon',
  role: 'operator',
  usage: 'cordon <node>',
  summary: 'cordon',
  run: async () => textReply('cordoned'),
};
const broken: Handler = {
  name: 'broken',
  role: 'viewer',
  usage: 'broken',
  summary: 'fails',
  run: async () => {
    throw new Error('socket hang up at /srv/secret/path.ts:12');
  },
};
const picky: Handler = {
  name: 'picky',
  role: 'viewer',
  usage: 'picky',
  summary: 'refuses',
  run: async () => {
    throw new UserError('no pod has IP 10.9.9.9');
  },
};

const alice: Identity = { platform: 'slack', userId: 'UALICE', channelId: 'C1' };
const stranger: Identity = { platform: 'slack', userId: 'USTRANGER', channelId: 'C1' };

describe('router', () => {
  let deps: TestDeps;
  let outcomes: CommandOutcome[];
  const router = (defaultRole: 'viewer' | 'none' = 'viewer') =>
    createRouter({
      deps,
      services: createCommandServices(deps),
      authz: createAuthz({ ...deps.config, auth: { ...deps.config.auth, defaultRole } }),
      handlers: [...registered, echo, cordon, broken, picky],
      observers: [
        (o) => {
          outcomes.push(o);
        },
      ],
    });

  beforeEach(async () => {
    deps = await createTestDeps({
      auth: { users: [{ name: 'alice', role: 'operator', slack: ['UALICE'], dingtalk: ['staff-alice'], console: ['alice'] }] },
    });
    outcomes = [];
  });
  afterEach(() => deps.stop());

  it('parses quoted arguments and runs the handler', async () => {
    const r = await router().handle(alice, `echo one "two words" “三 四”`);
    expect(renderText(r)).toBe('<one> <two words> <三 四>');
    expect(outcomes[0]).toMatchObject({ command: 'echo', decision: 'allowed', result: 'ok', user: { name: 'alice' } });
  });

  it('matches command names case-insensitively', async () => {
    expect(renderText(await router().handle(alice, 'ECHO hi'))).toBe('<hi>');
  });

  it('answers an unknown command with a hint', async () => {
    const r = await router().handle(alice, 'ech hi');
    expect(r.error).toBe(true);
    // On Slack the commands to type are named in the slash-command form, on DingTalk with the robot's mention.
    expect(renderText(r)).toContain('unknown command `ech`. Did you mean `/ops echo hi`? Type `/ops help` for the list.');
    const onDingTalk = await router().handle({ platform: 'dingtalk', userId: 'staff-alice', channelId: 'cid' }, 'hsot 10.0.0.1');
    expect(renderText(onDingTalk)).toMatch(/Type `@firstmate help` for the list/);
    expect(renderText(await router().handle({ platform: 'console', userId: 'alice', channelId: 'console' }, 'ehco'))).toContain(
      'Did you mean `echo`? Type `help` for the list.',
    );
    expect(outcomes[0]).toMatchObject({ decision: 'unknown' });
  });

  it('refuses a command above the user role and says why', async () => {
    const r = await router().handle(stranger, 'cordon node-1');
    expect(renderText(r)).toMatch(/needs the operator role; you are viewer/);
    expect(outcomes[0]).toMatchObject({ decision: 'refused', result: 'refused' });
    expect(renderText(await router().handle(alice, 'cordon node-1'))).toBe('cordoned');
  });

  it('refuses unknown users when the default role is none', async () => {
    const r = await router('none').handle(stranger, 'help');
    expect(renderText(r)).toMatch(/not a registered firstmate user.*USTRANGER/);
    expect(outcomes[0]?.user).toBeUndefined();
  });

  it('turns a handler crash into a reply with a reference and no internals', async () => {
    const r = await router().handle(alice, 'broken');
    const text = renderText(r);
    expect(text).toMatch(/^✗ `broken` failed \(ref [0-9a-f]{8}\)\.$/);
    expect(text).not.toMatch(/secret|socket|\.ts/);
    expect(outcomes[0]).toMatchObject({ result: 'failed', ref: text.match(/ref ([0-9a-f]{8})/)?.[1] });
  });

  it('shows a UserError as is', async () => {
    expect(renderText(await router().handle(alice, 'picky'))).toBe('✗ no pod has IP 10.9.9.9');
  });

  it('reports an unclosed quote', async () => {
    expect(renderText(await router().handle(alice, 'echo "open'))).toMatch(/unclosed quote/);
  });

  it('lists in help only what the user may run, and times commands in metrics', async () => {
    const text = renderText(await router().handle(stranger, 'help'));
    expect(text).toMatch(/^echo +repeat$/m);
    expect(text).not.toMatch(/^cordon /m);
    expect(renderText(await router().handle(stranger, 'help echo'))).toMatch(/usage +\/ops echo <words…>/);
    expect(renderText(await router().handle(stranger, 'help cordon'))).toMatch(/needs the operator role/);
    const metrics = await deps.metrics.registry.getSingleMetricAsString('firstmate_chat_commands_total');
    expect(metrics).toMatch(/command="help",outcome="ok"} 3/);
  });

  it('whoami shows the mapped user', async () => {
    expect(renderText(await router().handle(alice, 'whoami'))).toMatch(/user\s+alice[\s\S]*role\s+operator[\s\S]*platform id\s+UALICE/);
  });
});

import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../alerts/model.ts';
import { renderSlackNotification } from '../../../alerts/notifiers/slack-notification.ts';
import type { Notification } from '../../../alerts/notifiers/types.ts';
import { renderNotification, resolutionPrompt } from '../../../alerts/render/notification.ts';
import { renderDingTalk } from '../../../platforms/dingtalk/render.ts';
import { renderText } from '../../../platforms/console/render-text.ts';
import { PROMPT_ACTION_PREFIX, renderSlackReply } from '../../../platforms/slack/render.ts';
import { quoteWord, tokenize } from '../../../core/tokenize.ts';
import { renderIds, testNotification } from '../../helpers/notification.ts';

const FP = 'a1b2c3d4e5f60718';
const alert = (extra: Partial<Alert> = {}): Alert => ({
  source: 'test',
  fingerprint: FP,
  status: 'firing',
  severity: 'critical',
  labels: { alertname: 'DiskFull' },
  annotations: { summary: 'disk full' },
  startsAt: '2026-11-26T22:00:00Z',
  subject: { namespace: 'db', pod: 'db-0' },
  links: {},
  ...extra,
});
const firing: Notification = testNotification({
  ...renderIds,
  firing: [alert(), alert({ fingerprint: 'ffffffffffffffff' })],
  counts: { firing: 2, resolved: 0 },
});
const resolved: Notification = {
  ...firing,
  status: 'resolved',
  firing: [],
  resolved: [alert({ status: 'resolved' })],
  counts: { firing: 0, resolved: 1 },
};
const guidance = `Resolution: kb note ${FP} <how it was resolved>`;

describe('the Resolution prompt', () => {
  it('refers to the top alert by fingerprint, else by alertname', () => {
    expect(resolutionPrompt(firing)?.command).toBe(`kb note ${FP}`);
    expect(resolutionPrompt(resolved)?.command).toBe(`kb note ${FP}`);
    expect(resolutionPrompt({ ...firing, firing: [alert({ fingerprint: '' })] })?.command).toBe('kb note DiskFull');
    expect(resolutionPrompt({ ...firing, firing: [], resolved: [] })).toBeUndefined();
  });

  it('is a guidance line on the console, firing or resolved, and no button', () => {
    const text = renderText(renderNotification(firing));
    expect(text).toContain(`  ${guidance}`);
    expect(text).toContain('[Ack: ack ab12cd]');
    expect(text).not.toContain('[Resolution');
    expect(renderText(renderNotification(resolved))).toContain(guidance);
  });

  it('is a guidance line on DingTalk, never a button that would send a useless command', () => {
    const card = renderDingTalk(renderNotification(firing));
    if (card.msgtype !== 'actionCard') throw new Error(`expected an actionCard, got ${card.msgtype}`);
    expect(card.actionCard.btns.map((b) => b.title)).toEqual(['Ack', 'Silence 2h']);
    expect(card.actionCard.btns.some((b) => decodeURIComponent(b.actionURL).includes('kb note'))).toBe(false);
    expect(card.actionCard.text).toContain(`> Resolution: kb note ${FP} ‹how it was resolved›`);
    const done = renderDingTalk(renderNotification(resolved));
    expect(done.msgtype).toBe('markdown');
    if (done.msgtype === 'markdown') expect(done.markdown.text).toContain(`kb note ${FP} ‹how it was resolved›`);
  });

  it('is a form button on Slack, in the alert message and in rendered replies', () => {
    const valueOf = (blocks: unknown[]) => {
      const buttons = (blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>)
        .filter((b) => b.type === 'actions')
        .flatMap((b) => b.elements ?? [])
        .filter((e) => e.action_id.startsWith(PROMPT_ACTION_PREFIX));
      expect(buttons).toHaveLength(1);
      return JSON.parse(buttons[0]!.value) as unknown;
    };
    const expected = { c: `kb note ${FP}`, q: 'How was it resolved?' };
    expect(valueOf(renderSlackNotification(firing).blocks)).toEqual(expected);
    expect(valueOf(renderSlackNotification(resolved).blocks)).toEqual(expected);
    expect(valueOf(renderSlackReply(renderNotification(firing))[0]!.blocks)).toEqual(expected);
    expect(renderSlackReply(renderNotification(firing))[0]!.text).toContain(`Resolution: kb note ${FP} &lt;how it was resolved&gt;`);
  });

  it('quotes the answer so the command reads it back as one word', () => {
    for (const answer of ['restarted', '扩容了磁盘 and removed "old" logs\nsee C:\\tmp', "it's “fixed”", '「重启」']) {
      expect(tokenize(`kb note ${FP} ${quoteWord(answer)}`)).toEqual(['kb', 'note', FP, answer]);
    }
  });
});

import type { App, types, webApi } from '@slack/bolt';
import type { Identity } from '../command.ts';
import type { Logger } from '../../core/logger.ts';
import { errorReply, type Reply } from '../../core/reply.ts';
import { slackFailure } from '../../platforms/slack/errors.ts';
import { slackSafe, truncate } from '../../platforms/slack/escape.ts';
import { PROMPT_ACTION_PREFIX, renderSlackReply } from '../../platforms/slack/render.ts';
import { quoteWord } from '../../core/tokenize.ts';

/** `callback_id` of the form a prompt button opens. */
export const PROMPT_CALLBACK_ID = 'firstmate:prompt';
const BLOCK_ID = 'answer';
const ELEMENT_ID = 'text';
/** Longest answer accepted from the form. */
const MAX_ANSWER = 2000;

/** What the form carries between opening and submission: the command prefix and the channel to answer in. */
interface PromptMetadata {
  c: string;
  ch: string;
}

function parseJson<T>(raw: string | undefined, valid: (v: Record<string, unknown>) => boolean): T | undefined {
  try {
    const v = JSON.parse(raw ?? '') as unknown;
    return v && typeof v === 'object' && valid(v as Record<string, unknown>) ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}

/** The modal asking `question` about `command`, remembering the command and channel. */
export function promptView(command: string, question: string, channel: string): types.ModalView {
  const metadata: PromptMetadata = { c: command, ch: channel };
  return {
    type: 'modal',
    callback_id: PROMPT_CALLBACK_ID,
    private_metadata: JSON.stringify(metadata),
    title: { type: 'plain_text', text: 'firstmate' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(`\`${slackSafe(command, 'code')} …\``, 3000) }] },
      {
        type: 'input',
        block_id: BLOCK_ID,
        label: { type: 'plain_text', text: truncate(slackSafe(question, 'plain'), 2000) || 'Text' },
        element: { type: 'plain_text_input', action_id: ELEMENT_ID, multiline: true, max_length: MAX_ANSWER },
      },
    ],
  };
}

/**
 * Prompt buttons and their form (Slack). Input: a press of a `PROMPT_ACTION_PREFIX` button
 * (value `{"c": command, "q": question}`) opens a modal with the interaction's `trigger_id`; its
 * `view_submission` runs `command "<text>"` through `ask` as the submitter, with the channel of
 * the button as the conversation, so authorisation, bindings, rate limit and audit are those of
 * the typed command. Output: the submission is acked at once (closing the form, or
 * `response_action: errors` for an empty answer); the outcome goes to the submitter only, as an
 * ephemeral message in that channel, or a DM when that fails. When the form cannot be opened
 * (an expired trigger), the presser is told the command to type instead.
 */
export function registerSlackPrompts(
  app: App,
  deps: {
    ask: (identity: Identity, line: string) => Promise<Reply>;
    track: (what: string, work: () => Promise<void>) => Promise<void>;
    logger: Logger;
  },
): void {
  const { ask, track, logger } = deps;
  const prefix = new RegExp(`^${PROMPT_ACTION_PREFIX.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

  app.action({ type: 'block_actions', action_id: prefix }, async ({ ack, body, action, client }) => {
    await ack();
    const raw = 'value' in action && typeof action.value === 'string' ? action.value : undefined;
    const prompt = parseJson<{ c: string; q: string }>(raw, (v) => typeof v.c === 'string' && v.c.length > 0 && typeof v.q === 'string');
    if (!prompt)
      return logger.warn({ actionId: 'action_id' in action ? action.action_id : undefined }, 'slack prompt button without a usable value');
    const channel = body.channel?.id ?? (body.container as { channel_id?: string } | undefined)?.channel_id ?? '';
    await track('prompt form', async () => {
      try {
        await client.views.open({ trigger_id: body.trigger_id, view: promptView(prompt.c, prompt.q, channel) });
      } catch (err) {
        logger.warn({ err }, 'slack form could not be opened; telling the presser what to type');
        await tellUser(
          client,
          body.user.id,
          channel,
          errorReply(`The form could not be opened (${slackFailure(err).reason}). Type \`${prompt.c} <answer>\` instead.`),
          logger,
        );
      }
    });
  });

  app.view(PROMPT_CALLBACK_ID, async ({ ack, body, view, client }) => {
    const meta = parseJson<PromptMetadata>(
      view.private_metadata,
      (v) => typeof v.c === 'string' && v.c.length > 0 && typeof v.ch === 'string',
    );
    const answer = (view.state.values[BLOCK_ID]?.[ELEMENT_ID]?.value ?? '').trim();
    if (!meta) {
      await ack();
      return logger.warn({ viewId: view.id }, 'slack prompt form without usable metadata');
    }
    if (!answer) return ack({ response_action: 'errors', errors: { [BLOCK_ID]: 'Please write something before saving.' } });
    await ack();
    await track('prompt answer', async () => {
      const user = body.user;
      const identity: Identity = { platform: 'slack', userId: user.id, displayName: user.name, channelId: meta.ch };
      const reply = await ask(identity, `${meta.c} ${quoteWord(answer.slice(0, MAX_ANSWER))}`);
      await tellUser(client, user.id, meta.ch, reply, logger);
    });
  });
}

/** Shows the outcome to the user only: ephemeral in the channel, else in a DM. */
async function tellUser(client: webApi.WebClient, userId: string, channel: string, reply: Reply, logger: Logger): Promise<void> {
  const messages = renderSlackReply(reply);
  if (channel) {
    try {
      for (const m of messages) await client.chat.postEphemeral({ channel, user: userId, text: m.text, blocks: m.blocks });
      return;
    } catch (err) {
      logger.warn({ err, channel }, 'slack ephemeral answer failed; answering in a DM');
    }
  }
  for (const m of messages)
    await client.chat.postMessage({ channel: userId, text: m.text, blocks: m.blocks, unfurl_links: false, unfurl_media: false });
}

import type { types } from '@slack/bolt';
import { tableText, type Action, type PromptBlock, type Reply } from '../../core/reply.ts';
import { renderText } from '../console/render-text.ts';
import { slackLink, slackSafe, truncate } from './escape.ts';

/** One Slack message: Block Kit blocks plus the fallback `text` (notifications, old clients). */
export interface SlackMessage {
  text: string;
  blocks: types.KnownBlock[];
}

/** Button `action_id`s start with this; the button's `value` is the chat command it runs. */
export const COMMAND_ACTION_PREFIX = 'firstmate:cmd:';

/**
 * Prompt button `action_id`s start with this; the value is `{"c": command, "q": question}` (see
 * `PromptBlock`). Pressing one opens a form asking the question; its text completes the command.
 */
export const PROMPT_ACTION_PREFIX = 'firstmate:prompt:';

/** Block Kit limits (https://docs.slack.dev/reference/block-kit). */
export const limits = {
  blocksPerMessage: 50,
  sectionText: 3000,
  fieldsPerSection: 10,
  fieldText: 2000,
  headerText: 150,
  contextText: 3000,
  buttonsPerActions: 25,
  buttonText: 75,
  buttonValue: 2000,
  fallbackText: 3000,
  confirmTitle: 100,
  confirmText: 300,
} as const;

/** Width tables are fitted to in code blocks: what a Slack message shows without wrapping. */
export const SLACK_TABLE_WIDTH = 80;

/**
 * Renders a platform-neutral reply as Block Kit: heading → header, text → mrkdwn sections,
 * fields → section fields (two columns, at most 10 per section), table → aligned monospace in
 * code blocks fitted to `SLACK_TABLE_WIDTH` (split under the section limit), links → `<url|title>`,
 * context → context block, actions → buttons whose value is the command (with a confirmation
 * dialog when the action has `confirm`), prompt → a button opening a form, in the same row as the
 * buttons before it. Every piece of text goes through
 * `slackSafe`. Replies longer than one message allows (50 blocks) come back as several
 * messages, in order.
 */
export function renderSlackReply(reply: Reply): SlackMessage[] {
  const blocks = replyBlocks(reply);
  const text = fallbackText(reply);
  if (blocks.length === 0) return [{ text, blocks: [sectionBlock(slackSafe(text))] }];
  const messages: SlackMessage[] = [];
  for (let i = 0; i < blocks.length; i += limits.blocksPerMessage) {
    messages.push({
      text: i === 0 ? text : `${text.split('\n')[0] ?? ''} (continued)`,
      blocks: blocks.slice(i, i + limits.blocksPerMessage),
    });
  }
  return messages;
}

/** The fallback `text` of a reply: its console rendering, neutralised and cut to a sane size. */
export function fallbackText(reply: Reply): string {
  const plain = renderText({ ...reply, blocks: reply.blocks.filter((b) => b.kind !== 'actions') }).trim();
  return truncate(slackSafe(plain || '(empty reply)'), limits.fallbackText);
}

/** The Block Kit blocks of a reply, without the per-message split. */
export function replyBlocks(reply: Reply): types.KnownBlock[] {
  const out: types.KnownBlock[] = [];
  let buttons = 0;
  for (const b of reply.blocks) {
    switch (b.kind) {
      case 'heading':
        out.push({
          type: 'header',
          text: { type: 'plain_text', text: truncate(slackSafe(b.text, 'plain'), limits.headerText) || ' ', emoji: true },
        });
        break;
      case 'text':
        for (const part of splitMrkdwn(slackSafe(reply.error ? `:warning: ${b.text}` : b.text), limits.sectionText))
          out.push(sectionBlock(part));
        break;
      case 'context':
        if (b.text.trim())
          out.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(slackSafe(b.text), limits.contextText) }] });
        break;
      case 'fields':
        for (let i = 0; i < b.fields.length; i += limits.fieldsPerSection) {
          out.push({
            type: 'section',
            fields: b.fields.slice(i, i + limits.fieldsPerSection).map((f) => ({
              type: 'mrkdwn' as const,
              text: truncate(`*${slackSafe(f.label, 'bold')}*\n${slackSafe(f.value || '-')}`, limits.fieldText),
            })),
          });
        }
        break;
      case 'table':
        for (const chunk of tableChunks(b.columns, b.rows, b.overflow)) out.push(sectionBlock(chunk));
        break;
      case 'links':
        if (b.links.length > 0)
          out.push(sectionBlock(truncate(b.links.map((l) => slackLink(l.url, l.title)).join(' · '), limits.sectionText)));
        break;
      case 'actions': {
        const usable = b.actions.filter((a) => a.command.length > 0 && a.command.length <= limits.buttonValue);
        for (let i = 0; i < usable.length; i += limits.buttonsPerActions) {
          out.push({ type: 'actions', elements: usable.slice(i, i + limits.buttonsPerActions).map((a) => button(a, buttons++)) });
        }
        break;
      }
      case 'prompt': {
        const element = promptButton(b, buttons++);
        if ((element.value ?? '').length > limits.buttonValue) break;
        const last = out[out.length - 1];
        if (last?.type === 'actions' && last.elements.length < limits.buttonsPerActions) last.elements.push(element);
        else out.push({ type: 'actions', elements: [element] });
        break;
      }
    }
  }
  return out;
}

/** A button that asks the presser `prompt.question` in a form and runs `prompt.command <their text>`. */
export function promptButton(prompt: Pick<PromptBlock, 'label' | 'question' | 'command'>, index: number): types.Button {
  return {
    type: 'button',
    action_id: `${PROMPT_ACTION_PREFIX}${index}`,
    text: { type: 'plain_text', text: truncate(slackSafe(prompt.label, 'plain'), limits.buttonText) || 'note', emoji: true },
    value: JSON.stringify({ c: prompt.command, q: prompt.question }),
  };
}

/** A button that runs `action.command` as the person who presses it. */
export function button(action: Action, index: number): types.Button {
  const element: types.Button = {
    type: 'button',
    action_id: `${COMMAND_ACTION_PREFIX}${index}`,
    text: { type: 'plain_text', text: truncate(slackSafe(action.label, 'plain'), limits.buttonText) || 'run', emoji: true },
    value: action.command,
  };
  if (action.style) element.style = action.style;
  if (action.confirm)
    element.confirm = {
      title: { type: 'plain_text', text: truncate(slackSafe(`${action.label}?`, 'plain'), limits.confirmTitle) },
      text: { type: 'plain_text', text: truncate(slackSafe(action.confirm, 'plain'), limits.confirmText) },
      confirm: { type: 'plain_text', text: truncate(slackSafe(action.label, 'plain'), 30) || 'OK' },
      deny: { type: 'plain_text', text: 'Cancel' },
    };
  return element;
}

export function sectionBlock(text: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** Splits already-safe text into pieces of at most `max` characters, at line ends where possible. */
export function splitText(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const parts: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const candidate = current ? `${current}\n${line}` : line;
    if (candidate.length <= max) {
      current = candidate;
      continue;
    }
    if (current) parts.push(current);
    current = line.length <= max ? line : '';
    if (line.length > max) {
      let rest = line;
      while (rest.length > max) {
        let cut = max;
        const amp = rest.lastIndexOf('&', cut);
        if (amp > cut - 6 && amp > 0) cut = amp;
        parts.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      current = rest;
    }
  }
  if (current) parts.push(current);
  return parts;
}

/**
 * Splits mrkdwn into sections like `splitText`, closing a code block (```) at the end of a piece
 * and reopening it at the start of the next, so that each piece renders on its own.
 */
export function splitMrkdwn(text: string, max: number): string[] {
  const fence = '```';
  const pieces = splitText(text, max - 2 * (fence.length + 1));
  if (pieces.length === 1) return pieces;
  let open = false;
  return pieces.map((piece) => {
    const startsOpen = open;
    if (piece.split(fence).length % 2 === 0) open = !open;
    return `${startsOpen ? `${fence}\n` : ''}${piece}${open ? `\n${fence}` : ''}`;
  });
}

/** An aligned table in code blocks, each under the section text limit, each with the header row. */
function tableChunks(columns: string[], rows: string[][], overflow?: 'list' | 'cut'): string[] {
  if (rows.length === 0) return ['_(none)_'];
  const fence = '```';
  const budget = limits.sectionText - 2 * fence.length - 2;
  const all = tableText(columns, rows, SLACK_TABLE_WIDTH, overflow)
    .split('\n')
    .map((l) => truncate(slackSafe(l, 'code'), Math.floor(budget / 2)));
  // A table too wide even with cut cells comes as a list: there is no header row to repeat.
  const listed = all[0]?.startsWith('• ') ?? false;
  const header = listed ? [] : all.slice(0, 1);
  const lines = listed ? all : all.slice(1);
  const headerSize = header.join('').length;
  const chunks: string[] = [];
  let current = [...header];
  let size = headerSize;
  for (const line of lines) {
    if (current.length > header.length && size + 1 + line.length > budget) {
      chunks.push(current.join('\n'));
      current = [...header];
      size = headerSize;
    }
    size += 1 + line.length;
    current.push(line);
  }
  chunks.push(current.join('\n'));
  return chunks.map((c) => `${fence}\n${c}\n${fence}`);
}

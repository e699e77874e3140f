import { promptGuidance, type Action, type Block, type Reply } from '../../core/reply.ts';

/** A DingTalk robot message body as the session webhook and custom robots accept it. */
export type DingTalkMessage =
  | { msgtype: 'markdown'; markdown: { title: string; text: string }; at?: DingTalkAt }
  | {
      msgtype: 'actionCard';
      actionCard: { title: string; text: string; btnOrientation: '0' | '1'; btns: Array<{ title: string; actionURL: string }> };
      at?: DingTalkAt;
    };

/** Who a message @mentions. `isAtAll` is always false: firstmate never pings a whole group. */
export interface DingTalkAt {
  atUserIds?: string[];
  atMobiles?: string[];
  isAtAll: false;
}

/**
 * Makes text from the cluster or from alerts harmless in a DingTalk message: `@all`,
 * `@所有人` and `@<mobile number>` lose their mention form (the `@` becomes a full-width `＠`),
 * markdown links and images become plain `label (url)`, and `dtmd://`/`dingtalk://` links (which
 * send messages or open things when clicked) are broken.
 */
export function neutralizeDingTalk(text: string): string {
  return text
    .replace(/!?\[([^\]\n]*)\]\(([^)\n]*)\)/g, (_m, label: string, url: string) => (label ? `${label} (${url})` : url))
    .replace(/\b(dtmd|dingtalk):\/\//gi, '$1:/\u200b/')
    .replace(/[@＠](all|everyone|所有人)/gi, '＠$1')
    .replace(/@(?=\+?\d[\d-]{4,})/g, '＠');
}

/** A button that, when clicked, sends `command` to the conversation as the clicker. */
export function commandUrl(command: string): string {
  return `dtmd://dingtalkclient/sendMessage?content=${encodeURIComponent(command)}`;
}

const lineBreak = '  \n';
/** DingTalk rejects longer markdown bodies; long answers are cut with a note. */
const MAX_TEXT = 18_000;

function blockMarkdown(b: Block, error: boolean): string | undefined {
  const n = neutralizeDingTalk;
  switch (b.kind) {
    case 'heading':
      return `#### ${n(b.text)}`;
    case 'text':
      return error ? `**✗** ${n(b.text)}` : n(b.text);
    case 'context':
      return `> ${n(b.text).replace(/\n/g, `${lineBreak}> `)}`;
    case 'fields':
      return b.fields.map((f) => `- **${n(f.label)}**: ${n(f.value)}`).join('\n');
    case 'table':
      if (b.rows.length === 0) return '(none)';
      return [`**${b.columns.map(n).join(' · ')}**`, ...b.rows.map((r) => `- ${r.map((c) => n(c) || '-').join(' · ')}`)].join('\n');
    case 'actions':
      return undefined;
    case 'prompt':
      return `> ${n(promptGuidance(b, `‹${b.placeholder}›`))}`;
  }
}

/** The notification title: the first heading or text, one line, short. */
function titleOf(r: Reply, fallback: string): string {
  const first = r.blocks.find((b): b is Extract<Block, { kind: 'heading' | 'text' }> => b.kind === 'heading' || b.kind === 'text');
  const line = (first?.text ?? fallback).split('\n')[0]!.trim();
  return neutralizeDingTalk(line.length > 60 ? `${line.slice(0, 59)}…` : line || fallback);
}

/**
 * Renders a platform-neutral reply as DingTalk markdown, or as an actionCard when it has buttons
 * (each button sends its command back as the person who clicks it, who is authorised then). A
 * button cannot collect text, so prompts become a guidance line to type instead. All
 * text is neutralised; `atUserIds` are mentioned at the end of the message.
 */
export function renderDingTalk(r: Reply, opts: { title?: string; atUserIds?: string[] } = {}): DingTalkMessage {
  const parts = r.blocks.map((b) => blockMarkdown(b, Boolean(r.error))).filter((p): p is string => p !== undefined);
  let text = parts.join('\n\n');
  if (text.length > MAX_TEXT) text = `${text.slice(0, MAX_TEXT)}\n\n… (cut: the answer was too long for DingTalk; narrow the query)`;
  const atUserIds = opts.atUserIds?.filter((id) => id.length > 0) ?? [];
  if (atUserIds.length > 0) text += `\n\n${atUserIds.map((id) => `@${id}`).join(' ')}`;
  const title = opts.title ? neutralizeDingTalk(opts.title) : titleOf(r, 'firstmate');
  const at: DingTalkAt | undefined = atUserIds.length > 0 ? { atUserIds, isAtAll: false } : undefined;
  const actions: Action[] = r.blocks.flatMap((b) => (b.kind === 'actions' ? b.actions : []));
  if (actions.length === 0) return { msgtype: 'markdown', markdown: { title, text }, ...(at && { at }) };
  return {
    msgtype: 'actionCard',
    actionCard: {
      title,
      text,
      btnOrientation: actions.length > 2 ? '0' : '1',
      btns: actions.map((a) => ({ title: neutralizeDingTalk(a.label), actionURL: commandUrl(a.command) })),
    },
    ...(at && { at }),
  };
}

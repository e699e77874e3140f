import { cut, promptGuidance, type Action, type Block, type Reply } from '../../core/reply.ts';

/** A DingTalk robot message body as the session webhook and custom robots accept it. */
export type DingTalkMessage =
  | { msgtype: 'markdown'; markdown: { title: string; text: string }; at?: DingTalkAt }
  | {
      msgtype: 'actionCard';
      actionCard: { title: string; text: string; btnOrientation: '0' | '1'; btns: Array<{ title: string; actionURL: string }> };
    };

/**
 * Who a message @mentions (markdown and text messages only: DingTalk ignores `at` on an actionCard).
 * `isAtAll` is always false: firstmate never pings a whole group.
 */
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

/** A hard line break in DingTalk markdown (a bare newline inside a paragraph does not render). */
const lineBreak = '  \n';
/** DingTalk refuses robot messages whose markdown is over 20,000 bytes; answers are cut under it. */
export const MAX_TEXT_BYTES = 20_000;
/** Titles (the notification line and the chat list preview) are cut to this many characters. */
export const MAX_TITLE = 60;
/** Table cells are cut to this many display columns, so a row stays one line on a phone. */
export const MAX_CELL = 40;
const CUT_NOTE = '\n\n… (cut: the answer was too long for DingTalk; narrow the query)';

/**
 * Text for the markdown subset DingTalk robots render: neutralised (`neutralizeDingTalk`), `<`
 * and `>` escaped so placeholders like `<pod>` are not swallowed as HTML, and single newlines
 * turned into hard breaks.
 */
export function dingTalkText(text: string): string {
  return neutralizeDingTalk(text)
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([^\n])\n(?=[^\n])/g, `$1${lineBreak}`);
}

/** `[title](url)` for http(s) URLs; anything else as plain text. */
export function dingTalkLink(title: string, url: string): string {
  const label = dingTalkText(title).replace(/[[\]]/g, '');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${label} (${dingTalkText(url)})`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `${label} (${dingTalkText(url)})`;
  return `[${label || parsed.host}](${parsed.href.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/ /g, '%20')})`;
}

function blockMarkdown(b: Block, error: boolean): string | undefined {
  const t = dingTalkText;
  switch (b.kind) {
    case 'heading':
      return `#### ${t(b.text.replace(/\s*\n\s*/g, ' '))}`;
    case 'text':
      return error ? `**✗** ${t(b.text)}` : t(b.text);
    case 'context':
      return `> ${t(b.text).replace(/ {2}\n/g, `${lineBreak}> `)}`;
    case 'fields':
      return b.fields.map((f) => `- **${t(f.label)}**: ${t(f.value)}`).join('\n');
    case 'table': {
      if (b.rows.length === 0) return '(none)';
      const c = (s: string) => t(cut(s.replace(/\s*\n\s*/g, ' '), MAX_CELL)) || '-';
      return [`**${b.columns.map(c).join(' · ')}**`, ...b.rows.map((r) => `- ${r.map(c).join(' · ')}`)].join('\n');
    }
    case 'links':
      return b.links.map((l) => dingTalkLink(l.title, l.url)).join(' · ');
    case 'actions': {
      const confirms = b.actions.filter((a) => a.confirm).map((a) => `${a.label}: ${a.confirm}`);
      return confirms.length > 0 ? `> ${t(confirms.join('\n')).replace(/ {2}\n/g, `${lineBreak}> `)}` : undefined;
    }
    case 'prompt':
      return `> ${t(promptGuidance(b, `‹${b.placeholder}›`))}`;
  }
}

/** `text` cut to at most `max` UTF-8 bytes, whole characters only. */
export function cutBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    bytes += Buffer.byteLength(ch);
    if (bytes > max) break;
    out += ch;
  }
  return out;
}

/** A title: one line, neutralised, at most `MAX_TITLE` characters with an ellipsis when cut. */
export function dingTalkTitle(text: string, fallback = 'firstmate'): string {
  const line = neutralizeDingTalk(text.split('\n')[0]!.trim()) || fallback;
  const chars = [...line];
  return chars.length > MAX_TITLE ? `${chars.slice(0, MAX_TITLE - 1).join('')}…` : line;
}

/** The notification title: the first heading or text. */
function titleOf(r: Reply, fallback: string): string {
  const first = r.blocks.find((b): b is Extract<Block, { kind: 'heading' | 'text' }> => b.kind === 'heading' || b.kind === 'text');
  return dingTalkTitle(first?.text ?? fallback, fallback);
}

/** Who to @mention: user ids (internal robots, session webhooks) and/or phone numbers (custom robots). */
export interface DingTalkMentions {
  atUserIds?: string[];
  atMobiles?: string[];
}

/**
 * Renders a platform-neutral reply for a DingTalk robot. Without mentions, a reply with buttons
 * is an actionCard (each button sends its command back as the person who clicks it, who is
 * authorised then). DingTalk only notifies @mentions in `text` and `markdown` messages, so a
 * reply that mentions someone is markdown, its buttons links that send the same commands. A
 * button cannot collect text, so prompts become a guidance line to type instead. All text is
 * neutralised and escaped, the body is cut under `MAX_TEXT_BYTES`, and the mentions are written
 * at the end as `@id`, which is what makes DingTalk notify them.
 */
export function renderDingTalk(r: Reply, opts: { title?: string } & DingTalkMentions = {}): DingTalkMessage {
  const atUserIds = opts.atUserIds?.filter((id) => id.length > 0) ?? [];
  const atMobiles = opts.atMobiles?.filter((m) => m.length > 0) ?? [];
  const mentioned = atUserIds.length + atMobiles.length > 0;
  const actions: Action[] = r.blocks.flatMap((b) => (b.kind === 'actions' ? b.actions : []));
  const parts = r.blocks.map((b) => blockMarkdown(b, Boolean(r.error))).filter((p): p is string => p !== undefined);
  if (mentioned && actions.length > 0)
    parts.push(actions.map((a) => `[${dingTalkText(a.label).replace(/[[\]]/g, '')}](${commandUrl(a.command)})`).join(' · '));
  const mentions = mentioned ? `\n\n${[...atMobiles, ...atUserIds].map((id) => `@${id}`).join(' ')}` : '';
  let text = parts.join('\n\n');
  const budget = MAX_TEXT_BYTES - Buffer.byteLength(mentions);
  if (Buffer.byteLength(text) > budget) text = `${cutBytes(text, budget - Buffer.byteLength(CUT_NOTE))}${CUT_NOTE}`;
  text += mentions;
  const title = opts.title ? dingTalkTitle(opts.title) : titleOf(r, 'firstmate');
  const at: DingTalkAt | undefined = mentioned
    ? { ...(atMobiles.length > 0 && { atMobiles }), ...(atUserIds.length > 0 && { atUserIds }), isAtAll: false }
    : undefined;
  if (actions.length === 0 || mentioned) return { msgtype: 'markdown', markdown: { title, text }, ...(at && { at }) };
  return {
    msgtype: 'actionCard',
    actionCard: {
      title,
      text,
      btnOrientation: actions.length > 2 ? '0' : '1',
      btns: actions.map((a) => ({ title: neutralizeDingTalk(a.label), actionURL: commandUrl(a.command) })),
    },
  };
}

/**
 * The one place where text becomes safe to post to Slack. Everything the Slack adapter and the
 * Slack notifier post goes through `slackSafe` (or `slackLink` for our own links), so text from
 * the cluster, from alerts or from users can never ping a channel, mention someone, inject a
 * link or break out of our formatting.
 *
 * - `&`, `<`, `>` become `&amp;`, `&lt;`, `&gt;` (Slack's required escaping). This disarms every
 *   control sequence Slack parses: `<!channel>`, `<!here>`, `<!everyone>`, `<@U…>`, `<#C…>`,
 *   `<!subteam^…>`, `<url|label>`.
 * - Bare `@channel`, `@here`, `@everyone` get a word joiner after the `@`, so that even a client
 *   or a future flag that links names (`link_names`) cannot turn them into broadcasts.
 * - Inside our own formatting the delimiter that would close it is replaced by a look-alike:
 *   `*` in bold, `_` in italics, `~` in strikethrough, a backtick in inline code and code blocks.
 */

/** Where the text is placed: plain mrkdwn, inside one of our delimiters, or plain_text objects. */
export type SlackContext = 'mrkdwn' | 'bold' | 'italic' | 'strike' | 'code' | 'plain';

const WORD_JOINER = '\u2060';
const lookalike: Record<Exclude<SlackContext, 'mrkdwn' | 'plain'>, [RegExp, string]> = {
  bold: [/\*/g, '\u2217'],
  italic: [/_/g, '\u02cd'],
  strike: [/~/g, '\u223c'],
  code: [/`/g, '\u02cb'],
};

/**
 * Neutralises `text` for the given place in a Slack message. `plain` is for `plain_text` objects
 * (headers, button labels), where Slack parses neither mentions nor entities: only the broadcast
 * words are broken up there. Control characters other than newline and tab are dropped.
 */
export function slackSafe(text: string, context: SlackContext = 'mrkdwn'): string {
  // eslint-disable-next-line no-control-regex
  let out = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  out = out.replace(/@(channel|here|everyone)\b/gi, `@${WORD_JOINER}$1`);
  if (context === 'plain') return out;
  out = out.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (context !== 'mrkdwn') {
    const [pattern, replacement] = lookalike[context];
    out = out.replace(pattern, replacement);
  }
  return out;
}

/**
 * A link `<url|label>` for URLs we put in messages (knowledge, runbooks, generators). Only
 * `http(s)` URLs are linked; anything else is shown as safe text. The URL is normalised and the
 * characters that would end the link syntax are percent-encoded; the label is neutralised.
 */
export function slackLink(url: string, label?: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return slackSafe(label ? `${label} (${url})` : url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return slackSafe(label ? `${label} (${url})` : url);
  const href = parsed.href.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/&/g, '&amp;');
  const text = slackSafe(label ?? parsed.href).replace(/\|/g, '\u2223');
  return `<${href}|${text}>`;
}

/**
 * Turns the text of a user's message back into what they typed: Slack escapes `&<>` and wraps
 * URLs, channels and users in `<…>`. Links become their URL, mentions keep their id.
 */
export function slackUnescape(text: string): string {
  return text
    .replace(/<((?:https?|mailto):[^|>]+)(?:\|[^>]*)?>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * Cuts `text` to at most `max` UTF-16 units, ending with an ellipsis. Code points stay whole and
 * an entity (`&amp;`) cut in half is dropped, so escaped text stays valid.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out.replace(/&[a-z]{0,4}$/, '')}…`;
}

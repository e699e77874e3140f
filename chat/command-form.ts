import { distance } from 'fastest-levenshtein';
import type { Platform } from './command.ts';

/** How a command is typed on each platform: `/ops help` on Slack, `@firstmate help` on DingTalk, `help` on the console. */
export interface CommandForms {
  slackCommand: string;
  dingtalkRobotName: string;
}

/** The command as the person would type it on `platform`. */
export function commandForm(platform: Platform, command: string, forms: CommandForms): string {
  if (platform === 'slack') return `${forms.slackCommand} ${command}`;
  if (platform === 'dingtalk') return `@${forms.dingtalkRobotName} ${command}`;
  return command;
}

/**
 * Rewrites every `code span` of `text` that starts with a command name into the platform's form
 * (`` `help` `` → `` `/ops help` `` on Slack), so that errors and hints can be typed as shown.
 */
export function withCommandForms(text: string, names: ReadonlySet<string>, form: (command: string) => string): string {
  return text.replace(/`([^`\n]+)`/g, (span, inner: string) => {
    const first = inner.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    return names.has(first) && form(inner) !== inner ? `\`${form(inner.trim())}\`` : span;
  });
}

/**
 * The known names nearest to a mistyped one by edit distance (at most 2, and less than the
 * word's length), closest first; a prefix of a name counts as close too.
 */
export function nearestNames(word: string, names: readonly string[], max = 3): string[] {
  const w = word.toLowerCase();
  return names
    .map((name) => ({ name, d: name.startsWith(w) && w.length >= 2 ? 0.5 : distance(w, name) }))
    .filter(({ name, d }) => d <= 2 && d < Math.max(name.length, w.length) - 1)
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, max)
    .map(({ name }) => name);
}

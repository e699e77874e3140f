/**
 * Scrubbing credentials out of text that leaves the process (log lines, stored errors, chat
 * replies): credentials inside URLs (`user:pass@`, `access_token=`, `token=`, `sign=` and similar
 * query parameters), `Bearer …` values, Slack tokens, and any configured secret value.
 */

const REDACTED = '[redacted]';

const patterns: ReadonlyArray<[RegExp, string]> = [
  // userinfo in any URL: scheme://user:pass@host → scheme://[redacted]@host
  [/(\b[a-z][\w+.-]*:\/\/)[^/\s"'@<>]*@/gi, `$1${REDACTED}@`],
  // credential-like query parameters
  [
    /([?&](?:access_token|token|sign|signature|secret|client_secret|password|api_key|apikey|key|sentry_key)=)[^&\s"'#<>]*/gi,
    `$1${REDACTED}`,
  ],
  [/(\bBearer\s+)[^\s"',]+/gi, `$1${REDACTED}`],
  [/\bxox[abpors]-[\w-]+/g, REDACTED],
  [/\bxapp-[\w-]+/g, REDACTED],
];

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A function that scrubs `text`; `secrets` (values shorter than 6 characters are ignored) are removed wherever they appear. */
export function createRedactor(secrets: readonly string[] = []): (text: string) => string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s.length < 6) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
    forms.add(JSON.stringify(s).slice(1, -1));
  }
  const known =
    forms.size > 0
      ? new RegExp(
          [...forms]
            .sort((a, b) => b.length - a.length)
            .map(escapeRegex)
            .join('|'),
          'g',
        )
      : undefined;
  return (text: string) => {
    let out = known ? text.replace(known, REDACTED) : text;
    for (const [re, replacement] of patterns) out = out.replace(re, replacement);
    return out;
  };
}

/** Scrubs credentials that can be recognised by their shape (no configured secrets). */
export const redactText = createRedactor();

/** Keys whose values are secrets wherever they appear in configuration (header maps and key lists too). */
export const SECRET_KEY = /token|secret|password|signing|credential|apikey|api_key|authorization|cookie|^headers$|^keys$/i;

/**
 * Every secret value inside a config-like value: whatever sits under a {@link SECRET_KEY} key, and
 * passwords and token-like query parameters of URLs, for a redactor to scrub wherever they end up.
 */
export function secretValues(value: unknown, secret = false, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) secretValues(v, secret, out);
  else if (typeof value === 'string') {
    if (secret) out.push(value);
    else if (/^[a-z][\w+.-]*:\/\//i.test(value)) out.push(...urlSecrets(value));
  } else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) secretValues(v, secret || SECRET_KEY.test(k), out);
  return out;
}

function urlSecrets(text: string): string[] {
  try {
    const url = new URL(text);
    const found = [decodeURIComponent(url.password), decodeURIComponent(url.username)].filter((s) => s.length >= 6);
    for (const [name, v] of url.searchParams) if (/token|sign|secret|key|password/i.test(name) && v) found.push(v);
    return found;
  } catch {
    return [];
  }
}

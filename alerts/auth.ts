import { tokenMatcher } from '../core/api-auth.ts';

export { bearerToken } from '../core/api-auth.ts';

/**
 * The check of a given token against `tokens`, built once: true when it equals one of them,
 * compared in constant time (every token checked). No tokens means no token can match: whether
 * such a source is open is decided by its caller.
 */
export function tokenCheck(tokens: readonly string[]): (given: string | undefined) => boolean {
  const match = tokenMatcher(tokens.map((token) => ({ token })));
  return (given) => match(given) !== undefined;
}

import { matchToken } from '../core/api-auth.ts';

export { bearerToken } from '../core/api-auth.ts';

/**
 * True when `given` equals one of `tokens`, compared in constant time (every token checked).
 * No tokens means no token can match: whether such a source is open is decided by its caller.
 */
export function tokenAllowed(tokens: readonly string[], given: string | undefined): boolean {
  return (
    matchToken(
      tokens.map((token) => ({ name: '', token })),
      given,
    ) !== undefined
  );
}

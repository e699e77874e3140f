/**
 * Remembering a pure function's results for the arguments seen lately: the hot intake paths
 * meet the same few values (timestamps of one rule evaluation, grouping label values) again and
 * again. The memory is bounded: once it holds `max` results it starts over, so hostile input
 * costs at most what it costs without the memory.
 */

/** `fn` with its results for up to `max` distinct arguments remembered. */
export function memoize<A, R>(fn: (arg: A) => R, max: number): (arg: A) => R {
  const seen = new Map<A, R>();
  return (arg: A): R => {
    const known = seen.get(arg);
    if (known !== undefined || seen.has(arg)) return known as R;
    const result = fn(arg);
    if (seen.size >= max) seen.clear();
    seen.set(arg, result);
    return result;
  };
}

/**
 * A bounded window of recent changes of one resource type (the watch cache): watches resume from
 * any resourceVersion inside it; anything older is "too old" (410 Gone).
 */
import type { StoreEvent } from './types.ts';

export interface History {
  push(event: StoreEvent): void;
  /** Highest resourceVersion no longer in the window (0 when nothing dropped). */
  compactedRv(): number;
  /** Marks everything up to `rv` as compacted (after a bulk load that kept no history). */
  compactTo(rv: number): void;
  /** Events with rv > `rv`, oldest first. */
  since(rv: number): StoreEvent[];
}

export function createHistory(capacity: number): History {
  const cap = Math.max(1, capacity);
  const buf: (StoreEvent | undefined)[] = new Array<StoreEvent | undefined>(cap);
  let start = 0;
  let count = 0;
  let compacted = 0;
  return {
    push(event) {
      if (count < cap) {
        buf[(start + count) % cap] = event;
        count++;
        return;
      }
      compacted = buf[start]!.rv;
      buf[start] = event;
      start = (start + 1) % cap;
    },
    compactedRv: () => compacted,
    compactTo(rv) {
      compacted = Math.max(compacted, rv);
    },
    since(rv) {
      const out: StoreEvent[] = [];
      for (let i = 0; i < count; i++) {
        const e = buf[(start + i) % cap]!;
        if (e.rv > rv) out.push(e);
      }
      return out;
    },
  };
}

import type { Notifier } from './types.ts';

/** Notifiers by destination kind (`console`, `webhook`, `slack`, `dingtalk`): one line plugs one in. */
export function createNotifierRegistry(initial: readonly Notifier[] = []) {
  const byKind = new Map<string, Notifier>();
  const registry = {
    register(notifier: Notifier): void {
      byKind.set(notifier.kind, notifier);
    },
    get(kind: string): Notifier | undefined {
      return byKind.get(kind);
    },
    kinds(): string[] {
      return [...byKind.keys()];
    },
  };
  for (const n of initial) registry.register(n);
  return registry;
}

export type NotifierRegistry = ReturnType<typeof createNotifierRegistry>;

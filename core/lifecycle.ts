import type { Logger } from './logger.ts';

/** Something with a start and a stop, registered explicitly in the order it must start. */
export interface Component {
  name: string;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/**
 * Starts components in registration order and stops them in reverse. A stop that fails or
 * overruns its share of the time budget is logged and the rest still stop.
 */
export function createLifecycle(logger: Logger) {
  const components: Component[] = [];
  const started: Component[] = [];
  return {
    add(component: Component): void {
      components.push(component);
    },
    async start(): Promise<void> {
      for (const c of components) {
        try {
          await c.start?.();
        } catch (err) {
          throw new Error(`${c.name} failed to start: ${(err as Error).message}`, { cause: err });
        }
        started.push(c);
      }
    },
    async stop(timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (const c of started.splice(0).reverse()) {
        if (!c.stop) continue;
        const left = Math.max(100, deadline - Date.now());
        let timer: NodeJS.Timeout | undefined;
        const overrun = new Promise<'timeout'>((r) => {
          timer = setTimeout(() => r('timeout'), left);
        });
        try {
          const outcome = await Promise.race([c.stop().then(() => 'ok' as const), overrun]);
          if (outcome === 'timeout') logger.warn({ component: c.name }, 'stop overran its time budget');
        } catch (err) {
          logger.error({ err, component: c.name }, 'stop failed');
        } finally {
          clearTimeout(timer);
        }
      }
    },
  };
}

export type Lifecycle = ReturnType<typeof createLifecycle>;

/** Named yes/no checks that together make `/readyz`. */
export function createReadiness() {
  const checks = new Map<string, () => boolean | Promise<boolean>>();
  return {
    add(name: string, check: () => boolean | Promise<boolean>): void {
      checks.set(name, check);
    },
    async evaluate(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
      const out: Record<string, boolean> = {};
      for (const [name, check] of checks) {
        try {
          out[name] = await check();
        } catch {
          out[name] = false;
        }
      }
      return { ready: Object.values(out).every(Boolean), checks: out };
    },
  };
}

export type Readiness = ReturnType<typeof createReadiness>;

import { assertNamespace } from '../chat/authz.ts';
import { UserError } from '../core/errors.ts';
import type { Matcher } from '../alerts/matchers.ts';
import type { Alert } from '../alerts/model.ts';
import type { User } from './types.ts';

const unscoped = (user: Pick<User, 'namespaces'>) => user.namespaces.includes('*');

/**
 * A user limited to some namespaces may only handle incidents whose every alert is in them;
 * cluster-wide alerts (nodes, storms) stay with unscoped users.
 */
export function assertAlertsInScope(user: Pick<User, 'name' | 'namespaces'>, alerts: readonly Alert[]): void {
  if (unscoped(user)) return;
  for (const a of alerts) {
    const ns = a.subject.namespace ?? a.labels.namespace;
    if (!ns)
      throw new UserError(
        `\`${a.labels.alertname ?? a.fingerprint}\` is cluster-wide; only users with every namespace may handle it (yours: ${user.namespaces.join(', ') || 'none'})`,
      );
    assertNamespace(user, ns);
  }
}

/** A silence by a namespace-scoped user must pin `namespace="…"` to one of theirs. */
export function assertMatchersInScope(user: Pick<User, 'name' | 'namespaces'>, matchers: readonly Matcher[]): void {
  if (unscoped(user)) return;
  const ns = matchers.find((m) => m.name === 'namespace' && m.op === '=');
  if (!ns)
    throw new UserError(
      `add \`namespace=<ns>\` to the silence: you may silence only your namespaces (${user.namespaces.join(', ') || 'none'})`,
    );
  assertNamespace(user, ns.value);
}

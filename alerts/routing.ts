import type { AlertsConfig, RouteConfig } from './config-schema.ts';
import { matchesAll, parseMatchers, type Matcher } from './matchers.ts';
import { fingerprintOf, type Alert } from './model.ts';

/**
 * Route defaults where the root leaves them unset. The timings are Alertmanager's; `group_by`
 * is ours — Alertmanager's default is no grouping labels (one group per route), which
 * `group_by: []` gives here.
 */
export const routeDefaults = { group_by: ['alertname'], group_wait: 30_000, group_interval: 300_000, repeat_interval: 14_400_000 };

/** The annotation and label that name an alert's owner channel for `owner_routing` receivers. */
export const OWNER_ANNOTATION = 'firstmate.io/channel';
export const OWNER_LABEL = 'channel';

/** A route node with inheritance resolved. */
export interface ResolvedRoute {
  /** Position in the tree (`0`, `0.2`, `0.2.1`): part of every group key. */
  id: string;
  receiver: string;
  matchers: Matcher[];
  groupBy: string[];
  groupByAll: boolean;
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  continue: boolean;
  routes: ResolvedRoute[];
}

/** Where one alert goes: one aggregation group of one route (shared by the group's alerts). */
export interface GroupAssignment {
  readonly groupKey: string;
  readonly route: ResolvedRoute;
  readonly groupLabels: Readonly<Record<string, string>>;
  /** Owner channel when the receiver routes by owner. */
  readonly owner?: string;
}

/** Resolves inheritance down the tree (receiver, group_by and timings come from the parent). */
export function resolveRoutes(root: RouteConfig): ResolvedRoute {
  const build = (r: RouteConfig, parent: ResolvedRoute | undefined, id: string): ResolvedRoute => {
    const groupBy = r.group_by ?? (parent ? [...parent.groupBy, ...(parent.groupByAll ? ['...'] : [])] : routeDefaults.group_by);
    const node: ResolvedRoute = {
      id,
      receiver: r.receiver ?? parent?.receiver ?? '',
      matchers: parseMatchers(r.matchers),
      groupBy: groupBy.filter((l) => l !== '...'),
      groupByAll: groupBy.includes('...'),
      groupWaitMs: r.group_wait ?? parent?.groupWaitMs ?? routeDefaults.group_wait,
      groupIntervalMs: r.group_interval ?? parent?.groupIntervalMs ?? routeDefaults.group_interval,
      repeatIntervalMs: r.repeat_interval ?? parent?.repeatIntervalMs ?? routeDefaults.repeat_interval,
      continue: r.continue,
      routes: [],
    };
    node.routes = r.routes.map((c, i) => build(c, node, `${id}.${i}`));
    return node;
  };
  return build(root, undefined, '0');
}

/**
 * Alertmanager's `Route.Match`: depth first; a matching child takes the alert and siblings after
 * it are tried only when it has `continue`; a node none of whose children matched takes it itself.
 * The root matches everything.
 */
export function matchRoutes(node: ResolvedRoute, labels: Record<string, string>, isRoot = true): ResolvedRoute[] {
  if (!isRoot && !matchesAll(node.matchers, labels)) return [];
  const out: ResolvedRoute[] = [];
  for (const child of node.routes) {
    const got = matchRoutes(child, labels, false);
    out.push(...got);
    if (got.length > 0 && !child.continue) break;
  }
  return out.length > 0 ? out : [node];
}

/** The labels an alert's group is keyed by on `route`. */
export function groupLabelsFor(route: ResolvedRoute, labels: Record<string, string>): Record<string, string> {
  if (route.groupByAll) return { ...labels };
  const out: Record<string, string> = {};
  for (const name of route.groupBy) {
    const v = labels[name];
    if (v !== undefined && v !== '') out[name] = v;
  }
  return out;
}

export function ownerOf(alert: Pick<Alert, 'labels' | 'annotations'>): string | undefined {
  const v = alert.annotations[OWNER_ANNOTATION] ?? alert.labels[OWNER_LABEL];
  return v && v.trim() ? v.trim() : undefined;
}

/** Assignments remembered per route, owner and grouping label values before the memory starts over. */
const GROUP_KEY_CACHE_SIZE = 50_000;

/**
 * Builds the router for one configuration: alert → aggregation groups. An alert's assignment on a
 * route is remembered per route, owner and grouping label values (the hash over sorted labels is
 * most of the cost), and given to every alert of that group as the same object (read only),
 * except on `group_by: ['...']` routes, whose groups are as many as the alerts.
 */
export function createRouting(cfg: Pick<AlertsConfig, 'route' | 'receivers'>) {
  const root = resolveRoutes(cfg.route);
  const ownerRouted = new Set(cfg.receivers.filter((r) => r.owner_routing).map((r) => r.name));
  const known = new Map<string, GroupAssignment>();
  const build = (route: ResolvedRoute, labels: Record<string, string>, owner: string | undefined): GroupAssignment => {
    const groupLabels = groupLabelsFor(route, labels);
    const keyLabels: Record<string, string> = { ...groupLabels, '\u0000route': route.id };
    if (owner) keyLabels['\u0000owner'] = owner;
    return { groupKey: fingerprintOf(keyLabels), route, groupLabels, ...(owner ? { owner } : {}) };
  };
  const assignment = (route: ResolvedRoute, alert: Alert): GroupAssignment => {
    const owner = ownerRouted.has(route.receiver) ? ownerOf(alert) : undefined;
    if (route.groupByAll) return build(route, alert.labels, owner);
    // Length-prefixed values, so no two label sets share a cache key whatever characters they hold;
    // a missing and an empty value group alike.
    let cacheKey = `${route.id}|${owner?.length ?? -1}:${owner ?? ''}`;
    for (const name of route.groupBy) {
      const v = alert.labels[name] ?? '';
      cacheKey += `|${v.length}:${v}`;
    }
    let got = known.get(cacheKey);
    if (got === undefined) {
      if (known.size >= GROUP_KEY_CACHE_SIZE) known.clear();
      got = build(route, alert.labels, owner);
      known.set(cacheKey, got);
    }
    return got;
  };
  return {
    root,
    /** The alert's groups; an assignment may be shared with other alerts of its group: never modify it. */
    assign(alert: Alert): GroupAssignment[] {
      return matchRoutes(root, alert.labels).map((route) => assignment(route, alert));
    },
  };
}

export type Routing = ReturnType<typeof createRouting>;

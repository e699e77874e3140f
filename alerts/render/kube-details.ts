/**
 * The one line that says what a Kubernetes notice means, for every platform: a migration's
 * from → to node, cause, IP kept or old → new and how long the workload was short; a NotReady
 * storm's nodes, zones and eviction outlook; a storm summary's counts. Read from the annotations
 * the reconcilers set (see `kube/reconcilers/pod-migration.ts` and `kube/storm-alert.ts`);
 * `undefined` for any other alert.
 */
import type { Alert } from '../model.ts';

export function kubeDetail(a: Alert): string | undefined {
  const x = a.annotations;
  switch (a.labels.alertname) {
    case 'KubePodMigrated': {
      if (!x.from_node || !x.to_node) return undefined;
      const pod = [a.labels.namespace, a.labels.pod].filter(Boolean).join('/');
      const ip = x.ip_kept === 'true' ? `IP kept ${x.new_ip || '-'}` : `IP ${x.old_ip || 'none'} → ${x.new_ip || 'none'}`;
      const cause = [a.labels.reason, x.reason_detail && x.reason_detail !== a.labels.reason ? x.reason_detail : '']
        .filter(Boolean)
        .join(', ');
      const short = Number(x.short_seconds) > 0 ? ` · one pod short ${x.short_seconds}s` : '';
      return `${pod}: ${x.from_node} → ${x.to_node} · cause ${cause || 'unknown'} · ${ip}${short}`;
    }
    case 'KubeNodeNotReadyStorm':
      if (!x.nodes) return undefined;
      return `NotReady ${x.nodes_not_ready}/${x.nodes_total}: ${x.nodes} · zones ${x.zones || '-'} · evictions ${x.evictions ?? '-'}${x.evictions === 'imminent' || x.evictions === 'slowed' ? ` (grace ends ${x.evictions_at ?? '?'})` : ''}`;
    case 'KubeNodeNotReadyStormSummary':
      return `evicted ${x.pods_evicted} · rescheduled ${x.pods_rescheduled} · still Pending ${x.pods_pending} · IP kept ${x.fixed_ip_kept} / changed ${x.ip_changed}`;
    default:
      return undefined;
  }
}

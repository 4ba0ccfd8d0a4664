/** Prometheus metrics for the Kubernetes config source: per-kind sync state, staleness, watch restarts and re-lists. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { KubernetesSourceObserver, WatchRestartReason } from '../config/kubernetes/observer.js';

const RESTART_REASONS: readonly WatchRestartReason[] = ['error', 'expired', 'closed'];

export function createKubernetesMetrics(registry: Registry, kinds: readonly string[], now: () => number = Date.now): KubernetesSourceObserver {
  const synced = new Gauge({ name: 'tsiod_k8s_synced', help: '1 once the kind\'s initial list has been applied; 0 before, or while its API is not served.', labelNames: ['kind'], registers: [registry] });
  const lastReceived = new Map<string, number>();
  new Gauge({
    name: 'tsiod_k8s_seconds_since_last_event',
    help: 'Seconds since the apiserver last sent anything for the kind (a list, a watch event or a bookmark).',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const at = now();
      for (const [kind, last] of lastReceived) this.set({ kind }, (at - last) / 1000);
    },
  });
  const restarts = new Counter({
    name: 'tsiod_k8s_watch_restarts_total',
    help: 'Times a kind\'s list+watch started over: error (after a backoff), expired (410 Gone, re-listed) or closed (stream ended, resumed).',
    labelNames: ['kind', 'reason'],
    registers: [registry],
  });
  const relists = new Counter({ name: 'tsiod_k8s_relists_total', help: 'Lists of a kind after its first sync (410 Gone, periodic resync).', labelNames: ['kind'], registers: [registry] });
  // Zero series from the start, so rate() and alerts see a kind before its first restart.
  for (const kind of kinds) {
    synced.set({ kind }, 0);
    relists.inc({ kind }, 0);
    for (const reason of RESTART_REASONS) restarts.inc({ kind, reason }, 0);
  }
  return {
    synced: (kind, value) => synced.set({ kind }, value ? 1 : 0),
    received: (kind) => lastReceived.set(kind, now()),
    watchRestarted: (kind, reason) => restarts.inc({ kind, reason }),
    relisted: (kind) => relists.inc({ kind }),
  };
}

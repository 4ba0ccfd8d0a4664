/**
 * The two clusters a sidecar's catch-all paths point at: BlackHoleCluster
 * (a STATIC cluster with no hosts, so every request fails fast) and
 * PassthroughCluster (forwards to the connection's original destination).
 */
import { BLACKHOLE_CLUSTER, PASSTHROUGH_CLUSTER } from '../common/cluster-names.js';
import { connectTimeout } from './cluster-defaults.js';

export function buildBlackHoleCluster(): Record<string, unknown> {
  return { name: BLACKHOLE_CLUSTER, type: 'STATIC', connectTimeout: connectTimeout(), lbPolicy: 'ROUND_ROBIN' };
}

export function buildPassthroughCluster(): Record<string, unknown> {
  return { name: PASSTHROUGH_CLUSTER, type: 'ORIGINAL_DST', connectTimeout: connectTimeout(), lbPolicy: 'CLUSTER_PROVIDED' };
}

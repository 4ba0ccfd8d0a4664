/**
 * loadBalancer → lbPolicy and its config (Istio's applyLoadBalancer and
 * ApplyRingHashLoadBalancer). Istio's default algorithm is LEAST_REQUEST;
 * PASSTHROUGH turns the cluster into ORIGINAL_DST; a consistent hash picks
 * RING_HASH (or MAGLEV) whatever `simple` says. The route's hash policy is
 * RDS's business.
 */
import type { LoadBalancerSettings } from '../../../../model/types.js';
import { parseGoDuration } from '../../common/duration.js';
import { unwrapValue } from '../../common/wrapped-value.js';

/** Envoy's default minimum ring size, which Istio writes out when the rule names none. */
export const DEFAULT_MINIMUM_RING_SIZE = 1024;

function slowStartConfig(lb: LoadBalancerSettings | undefined): Record<string, unknown> | undefined {
  const warmup = lb?.warmup;
  if (warmup) {
    const window = warmup.duration === undefined ? undefined : parseGoDuration(warmup.duration);
    // Istio's setWarmup: linear ramp (aggression 1) from 10% (Envoy's default), with its fixed runtime key.
    return {
      ...(window ? { slowStartWindow: window } : {}),
      aggression: { defaultValue: unwrapValue(warmup.aggression) ?? 1, runtimeKey: '(' },
      minWeightPercent: { value: unwrapValue(warmup.minimumPercent) ?? 10 },
    };
  }
  const window = lb?.warmupDurationSecs === undefined ? undefined : parseGoDuration(lb.warmupDurationSecs);
  return window ? { slowStartWindow: window } : undefined;
}

function withSlowStart(cluster: Record<string, unknown>, policy: 'ROUND_ROBIN' | 'LEAST_REQUEST', lb: LoadBalancerSettings | undefined): void {
  cluster['lbPolicy'] = policy;
  const slowStart = slowStartConfig(lb);
  if (!slowStart) return;
  cluster[policy === 'ROUND_ROBIN' ? 'roundRobinLbConfig' : 'leastRequestLbConfig'] = { slowStartConfig: slowStart };
}

/** RING_HASH or MAGLEV for a consistent hash; false when the rule has none. */
export function applyConsistentHash(cluster: Record<string, unknown>, lb: LoadBalancerSettings | undefined): boolean {
  const hash = lb?.consistentHash;
  if (!hash) return false;
  delete cluster['roundRobinLbConfig'];
  delete cluster['leastRequestLbConfig'];
  if (hash.maglev) {
    cluster['lbPolicy'] = 'MAGLEV';
    if (hash.maglev.tableSize) cluster['maglevLbConfig'] = { tableSize: { value: hash.maglev.tableSize } };
  } else if (hash.ringHash) {
    cluster['lbPolicy'] = 'RING_HASH';
    if (hash.ringHash.minimumRingSize) cluster['ringHashLbConfig'] = { minimumRingSize: { value: hash.ringHash.minimumRingSize } };
  } else {
    cluster['lbPolicy'] = 'RING_HASH';
    cluster['ringHashLbConfig'] = { minimumRingSize: { value: hash.minimumRingSize || DEFAULT_MINIMUM_RING_SIZE } };
  }
  return true;
}

/** Sets lbPolicy (and the cluster type, for PASSTHROUGH) on an Envoy cluster. */
export function applyLoadBalancer(cluster: Record<string, unknown>, lb: LoadBalancerSettings | undefined): void {
  if (cluster['type'] === 'ORIGINAL_DST') {
    cluster['lbPolicy'] = 'CLUSTER_PROVIDED';
    return;
  }
  switch (lb?.simple) {
    case 'LEAST_CONN':
    case 'LEAST_REQUEST':
      withSlowStart(cluster, 'LEAST_REQUEST', lb);
      break;
    case 'RANDOM':
      cluster['lbPolicy'] = 'RANDOM';
      break;
    case 'ROUND_ROBIN':
      withSlowStart(cluster, 'ROUND_ROBIN', lb);
      break;
    case 'PASSTHROUGH':
      // Connect to the address the client asked for; any endpoints are moot.
      cluster['type'] = 'ORIGINAL_DST';
      cluster['lbPolicy'] = 'CLUSTER_PROVIDED';
      delete cluster['loadAssignment'];
      delete cluster['edsClusterConfig'];
      break;
    default:
      withSlowStart(cluster, 'LEAST_REQUEST', lb);
  }
  applyConsistentHash(cluster, lb);
}

/**
 * The TrafficPolicy that applies to one cluster, resolved as Istio does
 * (util.GetPortLevelTrafficPolicy, util.MergeSubsetTrafficPolicy,
 * model.MergeTrafficPolicy): a portLevelSettings entry for the cluster's
 * port replaces the rule's top-level policy outright (its unset parts fall
 * back to defaults, not to the top level); a subset's policy then replaces
 * each of connectionPool, outlierDetection, loadBalancer and tls that it
 * sets, and all four when it has a port-level entry of its own.
 */
import type { DestinationRuleSpec, MeshSnapshot, TrafficPolicy } from '../../../model/types.js';
import { findDestinationRule } from './find-destination-rule.js';

interface PortResolved {
  readonly policy: TrafficPolicy | undefined;
  readonly hasPortLevel: boolean;
}

export function portLevelPolicy(policy: TrafficPolicy | undefined, port: number): PortResolved {
  if (!policy) return { policy: undefined, hasPortLevel: false };
  const { portLevelSettings, ...forEveryPort } = policy;
  const entry = portLevelSettings?.find((p) => p.port?.number === port);
  // Resolved for one port, the policy no longer needs the other ports' entries.
  if (!entry) return { policy: forEveryPort, hasPortLevel: false };
  // Only these four exist per port; nothing else is inherited from the top level (Istio's shadowCopyPortTrafficPolicy).
  const { connectionPool, outlierDetection, loadBalancer, tls } = entry;
  return { policy: withoutUndefined({ connectionPool, outlierDetection, loadBalancer, tls }), hasPortLevel: true };
}

export function mergeSubsetPolicy(original: TrafficPolicy | undefined, subsetPolicy: TrafficPolicy | undefined, port: number): TrafficPolicy | undefined {
  const base = portLevelPolicy(original, port).policy;
  if (!subsetPolicy) return base;
  const { policy: subset, hasPortLevel } = portLevelPolicy(subsetPolicy, port);
  if (!base || !subset) return subset;
  const pick = <K extends 'connectionPool' | 'outlierDetection' | 'loadBalancer' | 'tls'>(field: K): TrafficPolicy[K] =>
    subset[field] !== undefined || hasPortLevel ? subset[field] : base[field];
  const merged: TrafficPolicy = {
    ...base,
    connectionPool: pick('connectionPool'),
    outlierDetection: pick('outlierDetection'),
    loadBalancer: pick('loadBalancer'),
    tls: pick('tls'),
    ...(subset.tunnel !== undefined ? { tunnel: subset.tunnel } : {}),
    ...(subset.proxyProtocol !== undefined ? { proxyProtocol: subset.proxyProtocol } : {}),
    ...(subset.retryBudget !== undefined ? { retryBudget: subset.retryBudget } : {}),
  };
  return withoutUndefined(merged);
}

/**
 * The policy for cluster (host, port, subset) as a client whose namespace
 * has `destinationRuleView` sees it; '' is the default cluster. Undefined
 * when no rule, or no policy, applies.
 */
export function trafficPolicyForCluster(
  snapshot: MeshSnapshot,
  destinationRuleView: string,
  hostname: string,
  port: number,
  subset: string,
): TrafficPolicy | undefined {
  const rule = findDestinationRule(snapshot, destinationRuleView, hostname);
  if (!rule) return undefined;
  const subsetPolicy = subset === '' ? undefined : rule.spec.subsets?.find((s) => s.name === subset)?.trafficPolicy;
  return mergeSubsetPolicy(rule.spec.trafficPolicy, subsetPolicy, port);
}

/** Every policy a rule holds: top level, per subset, and their port-level settings. */
export function policiesOfRule(spec: DestinationRuleSpec): TrafficPolicy[] {
  const top = [spec.trafficPolicy, ...(spec.subsets ?? []).map((s) => s.trafficPolicy)].filter((p): p is TrafficPolicy => p !== undefined);
  return top.flatMap((p) => [p, ...(p.portLevelSettings ?? [])]);
}

function withoutUndefined(policy: TrafficPolicy): TrafficPolicy {
  return Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined)) as TrafficPolicy;
}

/**
 * The part of a proxy that locality load balancing reads, as a key string:
 * its locality when some DestinationRule can order endpoints by locality
 * (one with outlierDetection, which turns Istio's default locality failover
 * on, or with a localityLbSetting) or the mesh config distributes by it,
 * plus the labels that failoverPriority names. "" when nothing does, so
 * proxies everywhere share their EDS and CDS output until locality actually
 * matters.
 */
import type { ProxyNode } from '../../../model/proxy.js';
import type { DestinationRuleSpec, IstioConfig, MeshSnapshot } from '../../../model/types.js';
import type { LocalityClient } from './locality-load-balancing.js';
import { policiesOfRule } from './cluster-traffic-policy.js';

interface LocalityNeeds {
  readonly locality: boolean;
  readonly labels: readonly string[];
}

/**
 * Which clusters' endpoints a key serves: `all` (EDS), or `inline` (CDS,
 * whose only endpoints are those of DNS clusters; a wildcard host may match
 * such ServiceEntries, so it counts).
 */
export type EndpointCarrier = 'all' | 'inline';

type Services = MeshSnapshot['services'];
const needsCache = new WeakMap<readonly IstioConfig<DestinationRuleSpec>[], WeakMap<Services, Record<EndpointCarrier, LocalityNeeds>>>();

function carriesInline(services: Services, host: string): boolean {
  if (host.includes('*')) return true;
  const resolution = services.get(host)?.resolution;
  return resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN';
}

function computeNeeds(rules: readonly IstioConfig<DestinationRuleSpec>[], services: Services, carrier: EndpointCarrier): LocalityNeeds {
  let locality = false;
  const labels = new Set<string>();
  for (const rule of rules) {
    if (carrier === 'inline' && !carriesInline(services, rule.spec.host)) continue;
    for (const policy of policiesOfRule(rule.spec)) {
      if (policy.outlierDetection !== undefined || policy.loadBalancer?.localityLbSetting !== undefined) locality = true;
      for (const entry of policy.loadBalancer?.localityLbSetting?.failoverPriority ?? []) labels.add(entry.split('=')[0] ?? '');
    }
  }
  return { locality, labels: [...labels].sort() };
}

function localityNeeds(snapshot: MeshSnapshot, carrier: EndpointCarrier): LocalityNeeds {
  let byServices = needsCache.get(snapshot.destinationRules);
  if (!byServices) needsCache.set(snapshot.destinationRules, (byServices = new WeakMap()));
  let needs = byServices.get(snapshot.services);
  if (!needs) {
    needs = { all: computeNeeds(snapshot.destinationRules, snapshot.services, 'all'), inline: computeNeeds(snapshot.destinationRules, snapshot.services, 'inline') };
    byServices.set(snapshot.services, needs);
  }
  return needs[carrier];
}

export function localityClientKey(proxy: ProxyNode, snapshot: MeshSnapshot, carrier: EndpointCarrier = 'all'): string {
  const needs = localityNeeds(snapshot, carrier);
  // The mesh's localityLbSetting applies where a rule sets none: its distribute to every cluster, its
  // failoverPriority wherever a rule's outlier detection turns failover on.
  const mesh = snapshot.mesh.localityLbSetting;
  if (!needs.locality && (mesh?.distribute?.length ?? 0) === 0) return '';
  const meshLabels = needs.locality ? (mesh?.failoverPriority ?? []).map((entry) => entry.split('=')[0] ?? '') : [];
  const names = [...new Set([...needs.labels, ...meshLabels])].sort();
  const labels = Object.fromEntries(names.filter((l) => proxy.labels[l] !== undefined).map((l) => [l, proxy.labels[l] as string]));
  // failoverPriority does nothing for a proxy without any labels at all (Istio's applyFailoverPriorities), whichever they are.
  const labelled = names.length > 0 && Object.keys(proxy.labels).length > 0;
  return JSON.stringify({ locality: proxy.locality ?? {}, labels, labelled });
}

/** The client a key stands for; "" is a client without locality or labels. */
export function localityClientOf(key: string): LocalityClient {
  if (key === '') return { labels: {} };
  const parsed = JSON.parse(key) as { locality: LocalityClient['locality']; labels: Record<string, string>; labelled: boolean };
  return { locality: parsed.locality, labels: parsed.labels, labelled: parsed.labelled };
}

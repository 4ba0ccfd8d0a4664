/**
 * Orders and weighs a cluster's localities relative to the client, as
 * Istio's ApplyLocalityLoadBalancer does for each proxy: `distribute`
 * re-weights localities by the first rule whose `from` matches the client;
 * otherwise, when failover is on (outlier detection), localities get
 * priorities: failoverPriority labels first, then region/zone/subzone
 * closeness, with `failover` naming the region to try before the rest.
 */
import type { Locality, LocalityLbSetting, TrafficPolicy } from '../../../model/types.js';
import { effectiveLocalitySetting, failoverEnabled } from './locality-lb-setting.js';
import { groupWeight, type EndpointAddress, type LocalityGroup } from './locality-lb-endpoints.js';

/** Istio's topology labels, which it adds to both proxy and endpoint labels from their localities. */
const REGION_LABEL = 'topology.kubernetes.io/region';
const ZONE_LABEL = 'topology.kubernetes.io/zone';
const SUBZONE_LABEL = 'topology.istio.io/subzone';
const NETWORK_LABEL = 'topology.istio.io/network';

export interface LocalityClient {
  readonly locality?: Locality;
  /** The client's labels that failoverPriority names. */
  readonly labels: Readonly<Record<string, string>>;
  /** Whether the client has any labels at all, named or not. */
  readonly labelled?: boolean;
}

/** Labels plus the topology labels Istio derives from the locality (pilot's AugmentLabels). */
export function withTopologyLabels(labels: Readonly<Record<string, string>> | undefined, locality: Locality | undefined): Record<string, string> {
  return {
    ...labels,
    ...(locality?.region ? { [REGION_LABEL]: locality.region } : {}),
    ...(locality?.zone ? { [ZONE_LABEL]: locality.zone } : {}),
    ...(locality?.subzone ? { [SUBZONE_LABEL]: locality.subzone } : {}),
  };
}

/** Istio's util.LocalityMatch: "region/zone/subzone", "*" matching anything and a missing part matching all. */
export function localityMatches(locality: Locality | undefined, pattern: string): boolean {
  const [region = '', zone = '', subzone = ''] = pattern.split('/');
  const regionMatch = region === '*' || (locality?.region ?? '') === region;
  const zoneMatch = zone === '*' || zone === '' || (locality?.zone ?? '') === zone;
  const subzoneMatch = subzone === '*' || subzone === '' || (locality?.subzone ?? '') === subzone;
  return regionMatch && zoneMatch && subzoneMatch;
}

/** Istio's util.LbPriority: 0 same subzone, 1 same zone, 2 same region, 3 elsewhere. */
function closeness(client: Locality | undefined, endpoint: Locality | undefined): number {
  if ((client?.region ?? '') !== (endpoint?.region ?? '')) return 3;
  if ((client?.zone ?? '') !== (endpoint?.zone ?? '')) return 2;
  return (client?.subzone ?? '') === (endpoint?.subzone ?? '') ? 0 : 1;
}

/** Renumbers priorities densely from 0, keeping their order. */
function compact(groups: readonly LocalityGroup[]): LocalityGroup[] {
  const used = [...new Set(groups.map((g) => g.priority))].sort((a, b) => a - b);
  return groups.map((g) => ({ ...g, priority: used.indexOf(g.priority) }));
}

/**
 * Istio's applyLocalityWeights. Endpoints' localities are matched against
 * the `to` patterns in sorted order (Istio walks a Go map, in no fixed
 * order); a locality matched by none gets no endpoints.
 */
function distribute(groups: readonly LocalityGroup[], setting: LocalityLbSetting, client: Locality | undefined): LocalityGroup[] {
  const rule = setting.distribute?.find((d) => localityMatches(client, d.from ?? ''));
  if (!rule) return [...groups];
  const weights = new Map<number, number>();
  const claimed = new Set<number>();
  for (const [pattern, weight] of Object.entries(rule.to ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const matched = groups.map((g, i) => [g, i] as const).filter(([g, i]) => !claimed.has(i) && localityMatches(g.locality, pattern));
    const total = matched.reduce((sum, [g]) => sum + groupWeight(g), 0);
    for (const [g, i] of matched) {
      claimed.add(i);
      const share = (groupWeight(g) * weight) / total;
      if (share > 0) weights.set(i, Math.ceil(share));
    }
  }
  return groups.map((g, i) => {
    if (!claimed.has(i)) return { ...g, endpoints: [], weight: groupWeight(g) };
    const weight = weights.get(i);
    return weight === undefined ? g : { ...g, weight };
  });
}

/** Istio's priorityLabelOverrides: "label=value" pins the value compared against, instead of the client's. */
function parsePriorityLabels(labels: readonly string[]): { readonly names: string[]; readonly pinned: Map<string, string> } {
  const names: string[] = [];
  const pinned = new Map<string, string>();
  for (const entry of labels) {
    const parts = entry.split('=');
    names.push(parts[0] ?? '');
    if (parts.length === 2) pinned.set(parts[0] ?? '', parts[1] ?? '');
  }
  return { names, pinned };
}

/** Istio's applyFailoverPriorityPerLocality: splits each locality by how long a prefix of the labels matches. */
function failoverPriorities(groups: readonly LocalityGroup[], labels: readonly string[], client: LocalityClient): LocalityGroup[] {
  const clientLabels = withTopologyLabels(client.labels, client.locality);
  // Istio skips this for a proxy without labels; its proxy labels include the topology ones.
  if (!client.labelled && Object.keys(clientLabels).length === 0) return [...groups];
  const { names, pinned } = parsePriorityLabels(labels);
  const lowest = labels.length;
  const includesNetwork = names[0] === NETWORK_LABEL;
  const priorityOf = (ep: EndpointAddress): number => {
    const epLabels = withTopologyLabels(ep.labels, ep.locality);
    let priority = 0;
    let adjust = 0;
    for (const [j, name] of names.entries()) {
      const wanted = pinned.get(name) ?? clientLabels[name];
      if (wanted === epLabels[name]) continue;
      // Another network always comes after every priority within the client's own.
      if (j === 0 && includesNetwork) {
        adjust = lowest;
        continue;
      }
      priority = lowest - j;
      break;
    }
    return priority + adjust;
  };
  const out: LocalityGroup[] = [];
  for (const group of groups) {
    const byPriority = new Map<number, EndpointAddress[]>();
    for (const ep of group.endpoints) {
      const p = priorityOf(ep);
      byPriority.set(p, [...(byPriority.get(p) ?? []), ep]);
    }
    for (const p of [...byPriority.keys()].sort((a, b) => a - b)) {
      out.push({ locality: group.locality, endpoints: byPriority.get(p) ?? [], priority: p });
    }
  }
  return compact(out);
}

/** Istio's applyLocalityFailover: closeness within each existing priority, `failover` regions before the rest. */
function localityFailover(groups: readonly LocalityGroup[], setting: LocalityLbSetting, client: Locality | undefined): LocalityGroup[] {
  const clientRegion = client?.region ?? '';
  return compact(
    groups.map((group) => {
      let priority = closeness(client, group.locality);
      if (priority === 3) {
        const rule = setting.failover?.find((f) => (f.from ?? '') === clientRegion);
        if (rule && (group.locality?.region ?? '') !== (rule.to ?? '')) priority = 4;
      }
      return { ...group, priority: group.priority * 5 + priority };
    }),
  );
}

/** `meshSetting`: MeshConfig.localityLbSetting, for clusters whose rule sets none (undefined: Istio's default). */
export function applyLocalityLoadBalancing(
  groups: readonly LocalityGroup[],
  policy: TrafficPolicy | undefined,
  client: LocalityClient,
  meshSetting?: LocalityLbSetting,
): LocalityGroup[] {
  const setting = effectiveLocalitySetting(policy?.loadBalancer, meshSetting);
  if (!setting) return [...groups];
  if ((setting.distribute?.length ?? 0) > 0) return distribute(groups, setting, client.locality);
  if (!failoverEnabled(policy)) return [...groups];
  if ((setting.failoverPriority?.length ?? 0) > 0) {
    const prioritised = failoverPriorities(groups, setting.failoverPriority ?? [], client);
    return (setting.failover?.length ?? 0) > 0 ? localityFailover(prioritised, setting, client.locality) : prioritised;
  }
  return localityFailover(groups, setting, client.locality);
}

/**
 * Groups endpoints into Envoy LocalityLbEndpoints. Output is sorted (by
 * locality, then address and port) so that the same set of endpoints always
 * yields byte-identical resources and no spurious pushes.
 */
import type { Locality, WorkloadEndpoint } from '../../../model/types.js';
import { socketAddress } from './socket-address.js';

export interface EndpointAddress {
  readonly address: string;
  readonly port: number;
  readonly weight?: number;
  readonly locality?: Locality;
  /** Workload labels: failoverPriority compares them with the client's. */
  readonly labels?: Readonly<Record<string, string>>;
  /** LbEndpoint.metadata, as Istio writes it for mesh endpoints. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** One locality's endpoints, and where locality load balancing put them. */
export interface LocalityGroup {
  readonly locality?: Locality;
  readonly endpoints: readonly EndpointAddress[];
  /** 0 is tried first; Envoy and gRPC fail over to higher numbers. */
  readonly priority: number;
  /** Overrides the sum of endpoint weights (locality `distribute`). */
  readonly weight?: number;
}

/**
 * `plain`: only what the endpoints say. `istio`: Istio's endpoint shape,
 * with every endpoint's weight (default 1) and health status, and metadata.
 */
export type EndpointShape = 'plain' | 'istio';

function localityKey(locality: Locality | undefined): string {
  return [locality?.region ?? '', locality?.zone ?? '', locality?.subzone ?? ''].join('/');
}

/**
 * Always a message, empty when the endpoint has no locality: gRPC clients
 * (grpc-js, C-core) reject a LocalityLbEndpoints whose locality is unset, and
 * Istio always sets it.
 */
function localityMessage(locality: Locality | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!locality) return out;
  if (locality.region) out['region'] = locality.region;
  if (locality.zone) out['zone'] = locality.zone;
  if (locality.subzone) out['subZone'] = locality.subzone;
  return out;
}

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  return a.port - b.port;
}

export function endpointAddressOf(endpoint: WorkloadEndpoint): EndpointAddress {
  return { address: endpoint.address, port: endpoint.port, weight: endpoint.weight, locality: endpoint.locality, labels: endpoint.labels };
}

/**
 * One address:port may be listed twice (two EndpointSlices for one pod);
 * gRPC NACKs a load assignment with duplicate addresses, so the first wins.
 */
function uniqueAddresses(endpoints: readonly EndpointAddress[]): EndpointAddress[] {
  const seen = new Set<string>();
  return endpoints.filter((ep) => {
    const key = `${ep.address}|${ep.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function groupByLocality(endpoints: readonly EndpointAddress[]): LocalityGroup[] {
  const groups = new Map<string, EndpointAddress[]>();
  for (const ep of uniqueAddresses(endpoints)) {
    const key = localityKey(ep.locality);
    const group = groups.get(key);
    if (group) group.push(ep);
    else groups.set(key, [ep]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, group]) => {
      const sorted = [...group].sort(compareAddresses);
      return { locality: sorted[0]?.locality, endpoints: sorted, priority: 0 };
    });
}

/** Sum of endpoint weights, each defaulting to 1. */
export function groupWeight(group: LocalityGroup): number {
  return group.endpoints.reduce((sum, ep) => sum + (ep.weight ?? 1), 0);
}

function lbEndpoint(ep: EndpointAddress, shape: EndpointShape): Record<string, unknown> {
  const out: Record<string, unknown> = { endpoint: { address: socketAddress(ep.address, ep.port) } };
  if (shape === 'istio') {
    // Istio sends only endpoints it considers healthy, and says so.
    out['healthStatus'] = 'HEALTHY';
    out['loadBalancingWeight'] = { value: ep.weight ?? 1 };
    if (ep.metadata) out['metadata'] = ep.metadata;
  } else if (ep.weight !== undefined) {
    out['loadBalancingWeight'] = { value: ep.weight };
  }
  return out;
}

export function serializeLocalityGroups(groups: readonly LocalityGroup[], shape: EndpointShape): Record<string, unknown>[] {
  return groups.map((group) => {
    const out: Record<string, unknown> = {};
    out['locality'] = localityMessage(group.locality);
    // A locality `distribute` emptied is sent without endpoints (an empty repeated field is no field on the wire).
    if (group.endpoints.length > 0) out['lbEndpoints'] = group.endpoints.map((ep) => lbEndpoint(ep, shape));
    // gRPC ignores localities without a weight, so it is always set: the sum, as Istio does.
    out['loadBalancingWeight'] = { value: group.weight ?? groupWeight(group) };
    if (group.priority > 0) out['priority'] = group.priority;
    return out;
  });
}

export function buildLocalityLbEndpoints(endpoints: readonly EndpointAddress[]): Record<string, unknown>[] {
  return serializeLocalityGroups(groupByLocality(endpoints), 'plain');
}

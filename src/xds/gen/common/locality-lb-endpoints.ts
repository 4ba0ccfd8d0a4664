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
}

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
  return { address: endpoint.address, port: endpoint.port, weight: endpoint.weight, locality: endpoint.locality };
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

export function buildLocalityLbEndpoints(endpoints: readonly EndpointAddress[]): Record<string, unknown>[] {
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
      const lbEndpoints = sorted.map((ep) => {
        const lbEndpoint: Record<string, unknown> = { endpoint: { address: socketAddress(ep.address, ep.port) } };
        if (ep.weight !== undefined) lbEndpoint['loadBalancingWeight'] = { value: ep.weight };
        return lbEndpoint;
      });
      // gRPC ignores localities without a weight, so it is always set: the sum, as Istio does.
      const weight = sorted.reduce((sum, ep) => sum + (ep.weight ?? 1), 0);
      const out: Record<string, unknown> = {};
      out['locality'] = localityMessage(sorted[0]?.locality);
      out['lbEndpoints'] = lbEndpoints;
      out['loadBalancingWeight'] = { value: weight };
      return out;
    });
}

/**
 * Route hash policies from DestinationRule consistentHash settings (Istio's
 * HashForHTTPDestination, hashForService and ConsistentHashToHashPolicy).
 * The cluster gets the ring-hash or Maglev balancer; the route says what to
 * hash. For a destination the most specific setting wins: the subset's
 * port-level one, the subset's, the rule's port-level one, the rule's.
 */
import type { ConsistentHashLB, Destination, PortTrafficPolicy, TrafficPolicy } from '../../../model/types.js';
import { parseGoDuration } from '../common/duration.js';
import { findDestinationRule } from '../common/find-destination-rule.js';
import type { RouteContext } from './route-context.js';

function portLevelHash(settings: readonly PortTrafficPolicy[] | undefined, portNumber: number | undefined): ConsistentHashLB | undefined {
  if (portNumber === undefined) return undefined;
  return settings?.find((s) => s.port?.number === portNumber)?.loadBalancer?.consistentHash;
}

function topLevelHash(policy: TrafficPolicy | undefined): ConsistentHashLB | undefined {
  return policy?.loadBalancer?.consistentHash;
}

/** The consistentHash setting that applies to a VirtualService destination, if any. */
export function destinationConsistentHash(destination: Destination, context: RouteContext): ConsistentHashLB | undefined {
  const rule = findDestinationRule(context.snapshot, context.destinationRuleView ?? context.proxyNamespace, destination.host)?.spec;
  if (!rule) return undefined;
  // Port-level settings count only when the destination names its port, as in Istio.
  const portNumber = destination.port?.number;
  const subset = rule.subsets?.find((s) => s.name === (destination.subset ?? ''));
  return (
    portLevelHash(subset?.trafficPolicy?.portLevelSettings, portNumber) ??
    topLevelHash(subset?.trafficPolicy) ??
    portLevelHash(rule.trafficPolicy?.portLevelSettings, portNumber) ??
    topLevelHash(rule.trafficPolicy)
  );
}

/** The consistentHash setting of a service port, for its default route. */
export function serviceConsistentHash(hostname: string, port: number, context: RouteContext): ConsistentHashLB | undefined {
  const policy = findDestinationRule(context.snapshot, context.destinationRuleView ?? context.proxyNamespace, hostname)?.spec.trafficPolicy;
  return portLevelHash(policy?.portLevelSettings, port) ?? topLevelHash(policy);
}

/** Undefined when the setting names nothing to hash (a ring size alone, say). */
export function hashPolicyOf(hash: ConsistentHashLB | undefined): Record<string, unknown> | undefined {
  if (!hash) return undefined;
  if (hash.httpHeaderName) return { header: { headerName: hash.httpHeaderName } };
  if (hash.httpCookie) {
    const cookie: Record<string, unknown> = { name: hash.httpCookie.name ?? '' };
    const ttl = hash.httpCookie.ttl !== undefined ? parseGoDuration(hash.httpCookie.ttl) : undefined;
    if (ttl) cookie['ttl'] = ttl;
    if (hash.httpCookie.path) cookie['path'] = hash.httpCookie.path;
    return { cookie };
  }
  if (hash.useSourceIp !== undefined) return { connectionProperties: { sourceIp: hash.useSourceIp } };
  if (hash.httpQueryParameterName) return { queryParameter: { name: hash.httpQueryParameterName } };
  return undefined;
}

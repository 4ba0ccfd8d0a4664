/**
 * Istio HTTPRoute destinations and timeout → Envoy RouteAction. Istio
 * disables Envoy's default 15s route timeout (0s = none) unless the
 * VirtualService sets one, and applies the same bound to gRPC deadlines.
 */
import type { HTTPRoute, HTTPRouteDestination } from '../../../model/types.js';
import { parseGoDuration, secondsDuration, type ProtoDuration } from '../common/duration.js';
import type { ClientKind } from '../common/proxy-kind.js';
import { destinationCluster } from './destination-cluster.js';
import type { RouteContext } from './route-context.js';

/** 0s disables the timeout; Envoy's own default would be 15s. */
function noTimeout(): ProtoDuration {
  return secondsDuration(0);
}

/**
 * Envoy reads the deprecated max_grpc_timeout (Istio keeps it: the newer
 * max_stream_duration had regressions); gRPC reads only max_stream_duration.
 */
export function withTimeout(action: Record<string, unknown>, timeout: ProtoDuration, client: ClientKind): Record<string, unknown> {
  action['timeout'] = timeout;
  if (client === 'proxyless') action['maxStreamDuration'] = { maxStreamDuration: { ...timeout } };
  else action['maxGrpcTimeout'] = { ...timeout };
  return action;
}

function clusterSpecifier(destinations: readonly HTTPRouteDestination[], context: RouteContext): Record<string, unknown> {
  const cluster = (d: HTTPRouteDestination): string => destinationCluster(context.snapshot, d.destination, context.listenerPort);
  // Zero-weight destinations get no traffic; Istio leaves them out of the split.
  const weighted = destinations.filter((d) => (d.weight ?? 0) > 0);
  if (destinations.length === 1 || weighted.length === 0) return { cluster: cluster(destinations[0] as HTTPRouteDestination) };
  return { weightedClusters: { clusters: weighted.map((d) => ({ name: cluster(d), weight: { value: d.weight } })) } };
}

/** Undefined when the route has no destinations (redirects and direct responses are not translated yet). */
export function translateRouteAction(route: HTTPRoute, context: RouteContext): Record<string, unknown> | undefined {
  const destinations = route.route ?? [];
  if (destinations.length === 0) return undefined;
  // An unparseable timeout is treated as unset: the config pipeline validates, and a route must still be sent.
  const timeout = (route.timeout !== undefined ? parseGoDuration(route.timeout) : undefined) ?? noTimeout();
  return withTimeout(clusterSpecifier(destinations, context), timeout, context.client);
}

export function defaultRouteAction(cluster: string, client: ClientKind): Record<string, unknown> {
  return withTimeout({ cluster }, noTimeout(), client);
}

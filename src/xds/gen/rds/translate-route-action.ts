/**
 * Istio HTTPRoute destinations → Envoy RouteAction (Istio's
 * applyHTTPRouteDestination): the cluster or weighted split, timeout,
 * rewrites, mirrors, hash policies from DestinationRules, and the retry
 * policy. Istio disables Envoy's default 15s route timeout (0s = none)
 * unless the VirtualService sets one, and applies the same bound to gRPC
 * deadlines.
 */
import type { HTTPRoute, HTTPRouteDestination } from '../../../model/types.js';
import { parseGoDuration, secondsDuration, type ProtoDuration } from '../common/duration.js';
import type { ClientKind } from '../common/proxy-kind.js';
import { destinationCluster } from './destination-cluster.js';
import { appendHeaderChanges, translateHeaders } from './header-operations.js';
import { destinationConsistentHash, hashPolicyOf } from './hash-policy.js';
import { translateMirrorPolicies } from './mirror-policies.js';
import { translateRetryPolicy } from './retry-policy.js';
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

function applyRewrite(action: Record<string, unknown>, route: HTTPRoute): void {
  const rewrite = route.rewrite;
  if (!rewrite) return;
  if (rewrite.uriRegexRewrite) {
    action['regexRewrite'] = { pattern: { regex: rewrite.uriRegexRewrite.match ?? '' }, substitution: rewrite.uriRegexRewrite.rewrite ?? '' };
  } else if (rewrite.uri) {
    // Envoy replaces the matched prefix; for an exact match that is the whole path, so this also rewrites exact paths.
    action['prefixRewrite'] = rewrite.uri;
  }
}

/** A single destination: its header changes go on the route itself, and its authority only when the route sets none. */
function singleDestination(action: Record<string, unknown>, out: Record<string, unknown>, destination: HTTPRouteDestination, context: RouteContext): boolean {
  action['cluster'] = destinationCluster(context.snapshot, destination.destination, context.listenerPort);
  if (destination.headers) {
    const headers = translateHeaders(destination.headers);
    appendHeaderChanges(out, headers);
    if (headers.authority !== '' && action['hostRewriteLiteral'] === undefined) action['hostRewriteLiteral'] = headers.authority;
  }
  const hash = destinationConsistentHash(destination.destination, context);
  const policy = hashPolicyOf(hash);
  if (policy) action['hashPolicy'] = [policy];
  return hash !== undefined;
}

function weightedCluster(destination: HTTPRouteDestination, context: RouteContext): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: destinationCluster(context.snapshot, destination.destination, context.listenerPort),
    weight: { value: destination.weight },
  };
  if (destination.headers) {
    const headers = translateHeaders(destination.headers);
    appendHeaderChanges(out, headers);
    if (headers.authority !== '') out['hostRewriteLiteral'] = headers.authority;
  }
  return out;
}

function weightedDestinations(action: Record<string, unknown>, destinations: readonly HTTPRouteDestination[], context: RouteContext): void {
  // Zero-weight destinations get no traffic; Istio leaves them out of the split.
  const weighted = destinations.filter((d) => (d.weight ?? 0) > 0);
  action['weightedClusters'] = { clusters: weighted.map((d) => weightedCluster(d, context)) };
  const policies = weighted.flatMap((d) => hashPolicyOf(destinationConsistentHash(d.destination, context)) ?? []);
  if (policies.length > 0) action['hashPolicy'] = policies;
}

/**
 * The RouteAction of a forwarding route, undefined when it has no
 * destinations. `out` is the Envoy route, which receives a single
 * destination's header changes; `authority` is the route's own host rewrite
 * from its headers ("" for none).
 */
export function translateRouteAction(route: HTTPRoute, context: RouteContext, out: Record<string, unknown>, authority: string): Record<string, unknown> | undefined {
  const destinations = route.route ?? [];
  if (destinations.length === 0) return undefined;
  // An unparseable timeout is treated as unset: the config pipeline validates, and a route must still be sent.
  const timeout = (route.timeout !== undefined ? parseGoDuration(route.timeout) : undefined) ?? noTimeout();
  const action = withTimeout({}, timeout, context.client);
  applyRewrite(action, route);
  const hostRewrite = route.rewrite?.authority || authority;
  if (hostRewrite) action['hostRewriteLiteral'] = hostRewrite;
  const mirrors = translateMirrorPolicies(route, (d) => destinationCluster(context.snapshot, d, context.listenerPort));
  if (mirrors.length > 0) action['requestMirrorPolicies'] = mirrors;
  const onlyDestination = destinations.length === 1 || !destinations.some((d) => (d.weight ?? 0) > 0) ? destinations[0] : undefined;
  let consistentHash = false;
  if (onlyDestination) consistentHash = singleDestination(action, out, onlyDestination, context);
  else weightedDestinations(action, destinations, context);
  // Istio's translateRoute: a route without retries takes the mesh's defaultHttpRetryPolicy.
  const retryPolicy = translateRetryPolicy(route.retries ?? context.snapshot.mesh.defaultHttpRetryPolicy, consistentHash);
  if (retryPolicy) action['retryPolicy'] = retryPolicy;
  return action;
}

export function defaultRouteAction(cluster: string, client: ClientKind): Record<string, unknown> {
  return withTimeout({ cluster }, noTimeout(), client);
}

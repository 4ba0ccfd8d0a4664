/**
 * The routes of one service port: its VirtualService's, or Istio's default
 * route straight to the service's cluster when no VirtualService applies (or
 * none of its routes apply to this port). The default route carries Istio's
 * default retry policy and the hash policy of the service's DestinationRule
 * (Istio's buildSidecarVirtualHostForService).
 */
import type { MeshService } from '../../../model/types.js';
import { outboundClusterName } from '../common/cluster-names.js';
import { findVirtualService } from '../common/find-virtual-service.js';
import { hashPolicyOf, serviceConsistentHash } from './hash-policy.js';
import { translateRetryPolicy } from './retry-policy.js';
import type { RouteContext } from './route-context.js';
import { routeDecorator } from './route-decorator.js';
import { defaultRouteAction } from './translate-route-action.js';
import { catchAllMatch } from './translate-route-match.js';
import { translateHttpRoutes } from './translate-http-route.js';

/** Istio's name for the route generated in absence of a VirtualService. */
export const DEFAULT_ROUTE_NAME = 'default';

export function buildDefaultRoute(service: MeshService, context: RouteContext): Record<string, unknown> {
  const match = catchAllMatch();
  const action = defaultRouteAction(outboundClusterName(service.hostname, context.listenerPort), context.client);
  // Istio's default route (BuildDefaultHTTPOutboundRoute): the mesh's defaultHttpRetryPolicy, keeping the
  // previous-hosts retry predicate even under consistent hashing; none when that policy has attempts 0.
  const retryPolicy = translateRetryPolicy(context.snapshot.mesh.defaultHttpRetryPolicy, false);
  if (retryPolicy) action['retryPolicy'] = retryPolicy;
  const hashPolicy = hashPolicyOf(serviceConsistentHash(service.hostname, context.listenerPort, context));
  if (hashPolicy) action['hashPolicy'] = [hashPolicy];
  return { name: DEFAULT_ROUTE_NAME, match, route: action, decorator: routeDecorator(match, action, service.hostname, context.listenerPort) };
}

export function buildServiceRoutes(service: MeshService, context: RouteContext): Record<string, unknown>[] {
  const vs = findVirtualService(context.snapshot, context.proxyNamespace, service.hostname);
  const routes = vs ? translateHttpRoutes(vs, context) : [];
  return routes.length > 0 ? routes : [buildDefaultRoute(service, context)];
}

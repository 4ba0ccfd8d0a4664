/**
 * The last virtual host of a sidecar route configuration, for Host headers
 * no service claims (Istio's buildCatchAllVirtualHost): out of the mesh
 * under ALLOW_ANY, to the egress proxy when the Sidecar names one, a 502
 * under REGISTRY_ONLY ("allow_any" and "block_all").
 */
import { BLACKHOLE_CLUSTER } from '../common/cluster-names.js';
import { defaultRouteAction } from './translate-route-action.js';
import { catchAllMatch } from './translate-route-match.js';

export const ALLOW_ANY_VIRTUAL_HOST = 'allow_any';
export const BLOCK_ALL_VIRTUAL_HOST = 'block_all';

/** `catchAllCluster` is where unknown destinations go: BlackHoleCluster means they are refused. */
export function buildCatchAllVirtualHost(catchAllCluster: string): Record<string, unknown> {
  if (catchAllCluster !== BLACKHOLE_CLUSTER) {
    return {
      name: ALLOW_ANY_VIRTUAL_HOST,
      domains: ['*'],
      routes: [{ name: ALLOW_ANY_VIRTUAL_HOST, match: catchAllMatch(), route: defaultRouteAction(catchAllCluster, 'envoy') }],
    };
  }
  return {
    name: BLOCK_ALL_VIRTUAL_HOST,
    domains: ['*'],
    routes: [{ name: BLOCK_ALL_VIRTUAL_HOST, match: catchAllMatch(), directResponse: { status: 502 } }],
  };
}

/**
 * The last virtual host of a sidecar route configuration, for Host headers
 * no service claims: out of the mesh under ALLOW_ANY, a 502 under
 * REGISTRY_ONLY (Istio's "allow_any" and "block_all").
 */
import type { MeshConfig } from '../../../model/types.js';
import { PASSTHROUGH_CLUSTER } from '../common/cluster-names.js';
import { defaultRouteAction } from './translate-route-action.js';
import { catchAllMatch } from './translate-route-match.js';

export const ALLOW_ANY_VIRTUAL_HOST = 'allow_any';
export const BLOCK_ALL_VIRTUAL_HOST = 'block_all';

export function buildCatchAllVirtualHost(mesh: MeshConfig): Record<string, unknown> {
  if (mesh.outboundTrafficPolicy === 'ALLOW_ANY') {
    return {
      name: ALLOW_ANY_VIRTUAL_HOST,
      domains: ['*'],
      routes: [{ name: ALLOW_ANY_VIRTUAL_HOST, match: catchAllMatch(), route: defaultRouteAction(PASSTHROUGH_CLUSTER, 'envoy') }],
    };
  }
  return {
    name: BLOCK_ALL_VIRTUAL_HOST,
    domains: ['*'],
    routes: [{ name: BLOCK_ALL_VIRTUAL_HOST, match: catchAllMatch(), directResponse: { status: 502 } }],
  };
}

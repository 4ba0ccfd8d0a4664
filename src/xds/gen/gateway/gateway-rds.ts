/** A gateway proxy's route configurations, one per HTTP server port (and per HTTPS server). */
import type { ProxyNode } from '../../../model/proxy.js';
import type { MeshSnapshot } from '../../../model/types.js';
import type { GeneratedResource } from '../generator.js';

export type GatewayRdsKey = {
  readonly kind: 'router';
};

export function gatewayRdsKey(_proxy: ProxyNode, _snapshot: MeshSnapshot): GatewayRdsKey {
  return { kind: 'router' };
}

export function buildGatewayRouteConfigs(_snapshot: MeshSnapshot, _key: GatewayRdsKey, _names?: ReadonlySet<string>): GeneratedResource[] {
  return [];
}

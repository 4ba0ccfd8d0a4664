/**
 * A gateway proxy's route configurations: "http.<port>" per plain-text HTTP
 * port and "https.<port>.<portName>.<gateway>.<namespace>" per terminated
 * HTTPS server (Istio's gatewayRDSRouteName). A name asked for that no
 * Gateway defines gets an empty configuration, as in Istio: a draining
 * listener may still ask for it.
 */
import type { ProxyNode } from '../../../model/proxy.js';
import type { MeshSnapshot } from '../../../model/types.js';
import type { GeneratedResource } from '../generator.js';
import { buildGatewayRouteConfig } from './build-gateway-route-config.js';
import { gatewayKeyOf, type GatewayKey } from './gateway-key.js';
import { mergeGateways } from './merge-gateways.js';

export type GatewayRdsKey = GatewayKey;

export function gatewayRdsKey(proxy: ProxyNode, snapshot: MeshSnapshot): GatewayRdsKey {
  return gatewayKeyOf(proxy, snapshot);
}

/** Route names a gateway can be asked for; anything else (a sidecar's port number) is not one. */
const GATEWAY_ROUTE_NAME = /^https?\./;

export function buildGatewayRouteConfigs(snapshot: MeshSnapshot, key: GatewayRdsKey, names?: ReadonlySet<string>): GeneratedResource[] {
  const merged = mergeGateways(snapshot, key);
  const wanted = names ? [...names].filter((n) => GATEWAY_ROUTE_NAME.test(n)).sort() : [...merged.serversByRouteName.keys()].filter((n) => n !== '').sort();
  return wanted.map((name) => ({ name, resource: buildGatewayRouteConfig(snapshot, key, merged, name) }));
}

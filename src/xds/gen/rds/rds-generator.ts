/**
 * RDS. Sidecars get one route configuration per HTTP port number; proxyless
 * gRPC gets one per dialed target. Short-name domains depend on the client's
 * namespace, hence the key. Gateways get none yet (no Gateway model).
 */
import type { MeshSnapshot } from '../../../model/types.js';
import { RouteType } from '../../proto/type-urls.js';
import type { GeneratedResource, ResourceGenerator } from '../generator.js';
import { egressScopeOf, scopedServices } from '../common/mesh-services.js';
import { httpPortNumbers } from '../lds/build-sidecar-outbound-listeners.js';
import { proxylessTargets } from '../proxyless/resolve-dialed-host.js';
import { buildProxylessRouteConfig } from './build-proxyless-route-config.js';
import { buildSidecarRouteConfig } from './build-sidecar-route-config.js';

export type RdsKey =
  | { readonly kind: 'sidecar'; readonly namespace: string; readonly egressScope: string }
  | { readonly kind: 'proxyless'; readonly namespace: string }
  | { readonly kind: 'router' };

/**
 * Any port-number name gets a configuration, even with no HTTP service on
 * that port (just the catch-all), as in Istio: a listener being drained may
 * still ask for it, and Envoy would otherwise wait on it.
 */
function sidecarRouteNames(snapshot: MeshSnapshot, scope: string, names: ReadonlySet<string> | undefined): number[] {
  if (!names) return httpPortNumbers(scopedServices(snapshot, scope));
  return [...names]
    .filter((name) => /^[1-9][0-9]{0,4}$/.test(name) && Number(name) <= 65535)
    .map(Number)
    .sort((a, b) => a - b);
}

export const rdsGenerator: ResourceGenerator<RdsKey> = {
  typeUrl: RouteType,
  keyOf: (proxy, snapshot) =>
    proxy.type === 'router'
      ? { kind: 'router' }
      : proxy.type === 'proxyless'
        ? { kind: 'proxyless', namespace: proxy.namespace }
        : { kind: 'sidecar', namespace: proxy.namespace, egressScope: egressScopeOf(proxy, snapshot) },
  generate(snapshot: MeshSnapshot, key: RdsKey, names?: ReadonlySet<string>): GeneratedResource[] {
    switch (key.kind) {
      case 'router':
        return [];
      case 'proxyless':
        return proxylessTargets(snapshot, key.namespace, names).map((target) => ({
          name: target.name,
          resource: buildProxylessRouteConfig(snapshot, target, key.namespace),
        }));
      case 'sidecar':
        return sidecarRouteNames(snapshot, key.egressScope, names).map((port) => ({
          name: String(port),
          resource: buildSidecarRouteConfig(snapshot, port, key.namespace, key.egressScope),
        }));
    }
  },
};

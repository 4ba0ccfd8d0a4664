/**
 * RDS. Sidecars get one route configuration per HTTP port number; gateways
 * one per Gateway server port; proxyless gRPC one per dialed target.
 */
import type { MeshSnapshot } from '../../../model/types.js';
import { RouteType } from '../../proto/type-urls.js';
import type { GeneratedResource, ResourceGenerator } from '../generator.js';
import { buildGatewayRouteConfigs, gatewayRdsKey, type GatewayRdsKey } from '../gateway/gateway-rds.js';
import { proxylessTargets } from '../proxyless/resolve-dialed-host.js';
import { buildProxylessRouteConfig } from './build-proxyless-route-config.js';
import { labelsOfSourceLabelsKey, sourceLabelsKey } from './source-labels-key.js';
import { buildSidecarRouteConfigs, sidecarRdsKey, type SidecarRdsKey } from './sidecar-rds.js';

export type RdsKey =
  | SidecarRdsKey
  | GatewayRdsKey
  | { readonly kind: 'proxyless'; readonly namespace: string; readonly sourceLabels: readonly string[]; readonly destinationRuleView: string };

export const rdsGenerator: ResourceGenerator<RdsKey> = {
  typeUrl: RouteType,
  keyOf: (proxy, snapshot) => {
    switch (proxy.type) {
      case 'proxyless':
        return {
          kind: 'proxyless',
          namespace: proxy.namespace,
          sourceLabels: sourceLabelsKey(snapshot, proxy.labels),
          destinationRuleView: snapshot.indexes.destinationRuleView(proxy.namespace, proxy.labels),
        };
      case 'router':
        return gatewayRdsKey(proxy, snapshot);
      case 'sidecar':
        return sidecarRdsKey(proxy, snapshot);
    }
  },
  generate(snapshot: MeshSnapshot, key: RdsKey, names?: ReadonlySet<string>): GeneratedResource[] {
    switch (key.kind) {
      case 'proxyless':
        return proxylessTargets(snapshot, key.namespace, names).map((target) => ({
          name: target.name,
          resource: buildProxylessRouteConfig(snapshot, target, key.namespace, labelsOfSourceLabelsKey(key.sourceLabels), key.destinationRuleView),
        }));
      case 'router':
        return buildGatewayRouteConfigs(snapshot, key, names);
      case 'sidecar':
        return buildSidecarRouteConfigs(snapshot, key, names);
    }
  },
};

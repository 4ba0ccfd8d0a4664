/**
 * A sidecar's route configurations: one per HTTP port number ("<port>").
 * Short-name domains depend on the sidecar's namespace, hence the key; the
 * egress scope names the Sidecar, which decides the services per port and
 * the catch-all's outbound traffic policy.
 */
import type { ProxyNode } from '../../../model/proxy.js';
import type { MeshSnapshot } from '../../../model/types.js';
import type { GeneratedResource } from '../generator.js';
import { egressScopeOf } from '../common/mesh-services.js';
import { httpRoutePorts, outboundListenerPlans } from '../lds/sidecar-outbound-plan.js';
import { buildSidecarRouteConfig } from './build-sidecar-route-config.js';
import { labelsOfSourceLabelsKey, sourceLabelsKey } from './source-labels-key.js';

export type SidecarRdsKey = {
  readonly kind: 'sidecar';
  readonly namespace: string;
  readonly egressScope: string;
  /** The sidecar's labels that some VirtualService's match.sourceLabels names ("name=value"), usually none. */
  readonly sourceLabels: readonly string[];
  /** Its DestinationRule view: route hash policies come from the rule that applies to it. */
  readonly destinationRuleView: string;
};

export function sidecarRdsKey(proxy: ProxyNode, snapshot: MeshSnapshot): SidecarRdsKey {
  return {
    kind: 'sidecar',
    namespace: proxy.namespace,
    egressScope: egressScopeOf(proxy, snapshot),
    sourceLabels: sourceLabelsKey(snapshot, proxy.labels),
    destinationRuleView: snapshot.indexes.destinationRuleView(proxy.namespace, proxy.labels),
  };
}

/**
 * Any port-number name gets a configuration, even with no HTTP service on
 * that port (just the catch-all), as in Istio: a listener being drained may
 * still ask for it, and Envoy would otherwise wait on it.
 */
function sidecarRouteNames(snapshot: MeshSnapshot, scope: string, names: ReadonlySet<string> | undefined): number[] {
  if (!names) return httpRoutePorts(outboundListenerPlans(snapshot, scope));
  return [...names]
    .filter((name) => /^[1-9][0-9]{0,4}$/.test(name) && Number(name) <= 65535)
    .map(Number)
    .sort((a, b) => a - b);
}

export function buildSidecarRouteConfigs(snapshot: MeshSnapshot, key: SidecarRdsKey, names?: ReadonlySet<string>): GeneratedResource[] {
  return sidecarRouteNames(snapshot, key.egressScope, names).map((port) => ({
    name: String(port),
    resource: buildSidecarRouteConfig(snapshot, port, key.namespace, key.egressScope, labelsOfSourceLabelsKey(key.sourceLabels), key.destinationRuleView),
  }));
}

/**
 * A sidecar's route configuration "<port>": a virtual host per service with
 * an HTTP port of that number (among the services of the Sidecar egress
 * listener for that port), then the catch-all. validateClusters is off
 * because routes may name clusters that CDS has not delivered yet.
 */
import { MESH_GATEWAY } from '../../../model/gateway-names.js';
import type { MeshSnapshot } from '../../../model/types.js';
import { isHttpPort } from '../common/mesh-services.js';
import { routeConfigServices } from '../lds/sidecar-outbound-plan.js';
import { catchAllCluster, outboundPolicyOfScope } from '../lds/sidecar-resource.js';
import { buildCatchAllVirtualHost } from './catch-all-virtual-host.js';
import { buildServiceVirtualHost, DomainClaims } from './build-virtual-hosts.js';
import type { RouteContext } from './route-context.js';
import { namespaceDnsDomain, virtualHostDomains } from './virtual-host-domains.js';

/**
 * `proxyLabels`: the sidecar's labels that match.sourceLabels name (see
 * sourceLabelsKey); `destinationRuleView`: its DestinationRule view, when a
 * workloadSelector rule may select it.
 */
export function buildSidecarRouteConfig(
  snapshot: MeshSnapshot,
  port: number,
  namespace: string,
  egressScope = '',
  proxyLabels: Readonly<Record<string, string>> = {},
  destinationRuleView?: string,
): Record<string, unknown> {
  const context: RouteContext = {
    snapshot,
    listenerPort: port,
    client: 'envoy',
    proxyNamespace: namespace,
    gateway: MESH_GATEWAY,
    proxyLabels,
    ...(destinationRuleView !== undefined ? { destinationRuleView } : {}),
  };
  const dnsDomain = namespaceDnsDomain(namespace, snapshot.mesh.domainSuffix);
  const claims = new DomainClaims();
  const virtualHosts: Record<string, unknown>[] = [];
  for (const service of routeConfigServices(snapshot, egressScope, port)) {
    if (!service.ports.some((p) => p.port === port && isHttpPort(p))) continue;
    const vhost = buildServiceVirtualHost(service, virtualHostDomains(service, port, dnsDomain), claims, context);
    if (vhost) virtualHosts.push(vhost);
  }
  virtualHosts.push(buildCatchAllVirtualHost(catchAllCluster(outboundPolicyOfScope(snapshot, egressScope))));
  return { name: String(port), virtualHosts, validateClusters: { value: false } };
}

/**
 * A proxyless client's route configuration, named like its listener: one
 * virtual host for the dialed service. gRPC picks the virtual host by the
 * authority it dialed, so the name as dialed ("reviews", "reviews:9080") is
 * among the domains along with the FQDN forms.
 */
import { MESH_GATEWAY } from '../../../model/gateway-names.js';
import type { MeshSnapshot } from '../../../model/types.js';
import type { DialedTarget } from '../proxyless/resolve-dialed-host.js';
import { buildServiceVirtualHost, DomainClaims } from './build-virtual-hosts.js';
import type { RouteContext } from './route-context.js';
import { namespaceDnsDomain, virtualHostDomains } from './virtual-host-domains.js';

function dialedDomains(target: DialedTarget): string[] {
  return target.dialedPort === undefined ? [target.dialedHost] : [target.dialedHost, `${target.dialedHost}:${target.dialedPort}`];
}

/** `proxyLabels`: the client's labels that match.sourceLabels name (see sourceLabelsKey); `destinationRuleView`: see RouteContext. */
export function buildProxylessRouteConfig(
  snapshot: MeshSnapshot,
  target: DialedTarget,
  namespace: string,
  proxyLabels: Readonly<Record<string, string>> = {},
  destinationRuleView?: string,
): Record<string, unknown> {
  const context: RouteContext = {
    snapshot,
    listenerPort: target.port.port,
    client: 'proxyless',
    proxyNamespace: namespace,
    gateway: MESH_GATEWAY,
    proxyLabels,
    ...(destinationRuleView !== undefined ? { destinationRuleView } : {}),
  };
  const dnsDomain = namespaceDnsDomain(namespace, snapshot.mesh.domainSuffix);
  const domains = [...dialedDomains(target), ...virtualHostDomains(target.service, target.port.port, dnsDomain)];
  const vhost = buildServiceVirtualHost(target.service, domains, new DomainClaims(), context);
  return { name: target.name, virtualHosts: vhost ? [vhost] : [] };
}

/**
 * Istio's LookupCluster: the outbound cluster of a mesh service named by
 * "<host>" or "<namespace>/<host>" (extension providers), or by a URL's
 * host (JWKS URIs). The service must be known; its port need not be one
 * the service declares, as in Istio.
 */
import type { MeshService } from '../../../model/types.js';
import { outboundClusterName } from '../common/cluster-names.js';

export type ClusterLookup = { readonly hostname: string; readonly cluster: string } | { readonly error: string };

export function lookupCluster(services: ReadonlyMap<string, MeshService>, service: string, port: number): ClusterLookup {
  if (service === '') return { error: 'service must not be empty' };
  const parts = service.split('/');
  if (parts.length === 2) {
    const [namespace, host] = parts as [string, string];
    const found = services.get(host);
    if (found && found.namespace === namespace) return { hostname: found.hostname, cluster: outboundClusterName(found.hostname, port) };
  } else {
    const found = services.get(service);
    if (found) return { hostname: found.hostname, cluster: outboundClusterName(found.hostname, port) };
  }
  return { error: `could not find service ${service} in Istio service registry` };
}

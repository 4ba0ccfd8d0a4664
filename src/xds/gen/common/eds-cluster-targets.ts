/**
 * Every cluster that may be fetched over EDS: the default and subset clusters
 * of each port of each service with IP endpoints. CDS (proxyless) and EDS
 * both enumerate from here, so a cluster never exists without its endpoints.
 */
import type { MeshService, MeshSnapshot, ServicePort } from '../../../model/types.js';
import { outboundClusterName } from './cluster-names.js';
import { hasIpEndpoints, sortedServices } from './mesh-services.js';
import { subsetsFor } from './subsets.js';

export interface EdsClusterTarget {
  readonly name: string;
  readonly service: MeshService;
  readonly port: ServicePort;
  /** '' for the default cluster. */
  readonly subset: string;
  readonly subsetLabels?: Readonly<Record<string, string>>;
}

export function edsClusterTargetsForService(snapshot: MeshSnapshot, proxyNamespace: string, service: MeshService): EdsClusterTarget[] {
  if (!hasIpEndpoints(service)) return [];
  const subsets = subsetsFor(snapshot, proxyNamespace, service.hostname);
  const out: EdsClusterTarget[] = [];
  for (const port of service.ports) {
    out.push({ name: outboundClusterName(service.hostname, port.port), service, port, subset: '' });
    for (const subset of subsets) {
      out.push({
        name: outboundClusterName(service.hostname, port.port, subset.name),
        service,
        port,
        subset: subset.name,
        subsetLabels: subset.labels ?? {},
      });
    }
  }
  return out;
}

export function edsClusterTargets(snapshot: MeshSnapshot, proxyNamespace: string): EdsClusterTarget[] {
  return sortedServices(snapshot).flatMap((service) => edsClusterTargetsForService(snapshot, proxyNamespace, service));
}

/**
 * Endpoints written into DNS clusters. ServiceEntries with DNS
 * resolution and no endpoints resolve their own host name, as in Istio.
 */
import type { MeshService, MeshSnapshot, ServicePort } from '../../../model/types.js';
import { istioEndpointAddress } from '../common/istio-endpoints.js';
import type { EndpointAddress } from '../common/locality-lb-endpoints.js';
import { readyEndpointsFor } from '../common/service-endpoints.js';

function hostFallbackApplies(snapshot: MeshSnapshot, service: MeshService, subsetLabels: Readonly<Record<string, string>> | undefined): boolean {
  const dns = service.resolution === 'DNS' || service.resolution === 'DNS_ROUND_ROBIN';
  const noEndpoints = (snapshot.endpoints.get(service.hostname) ?? []).length === 0;
  // The host itself has no labels, so only an unrestricted subset can select it.
  const unrestricted = subsetLabels === undefined || Object.keys(subsetLabels).length === 0;
  return dns && noEndpoints && unrestricted;
}

export function inlineEndpoints(
  snapshot: MeshSnapshot,
  service: MeshService,
  port: ServicePort,
  subsetLabels?: Readonly<Record<string, string>>,
): EndpointAddress[] {
  if (hostFallbackApplies(snapshot, service, subsetLabels)) {
    const targetPort = typeof port.targetPort === 'number' ? port.targetPort : port.port;
    return [{ address: service.hostname, port: targetPort }];
  }
  return readyEndpointsFor(snapshot, service.hostname, port, subsetLabels).map((endpoint) => istioEndpointAddress(endpoint, service));
}

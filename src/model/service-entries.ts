/**
 * ServiceEntry → one MeshService per host, and its endpoints: the inline
 * endpoints; for DNS resolution without endpoints, the host itself (Envoy
 * resolves it); none for NONE (passthrough by address).
 */
import type { ConfigObject } from '../config/config-object.js';
import { specOf, type ServiceEntryEndpoint, type ServiceEntrySpec } from './kube-objects.js';
import { exportToAnnotation } from './kubernetes-services.js';
import { parseLocality } from './locality.js';
import { parseProtocolName } from '../config/protocol.js';
import type { MeshService, ServicePort, WorkloadEndpoint } from './types.js';

export interface ServiceEntryHost {
  readonly service: MeshService;
  readonly endpoints: WorkloadEndpoint[];
}

export function serviceEntryHosts(entry: ConfigObject): ServiceEntryHost[] {
  const spec = specOf<ServiceEntrySpec>(entry);
  const resolution = spec.resolution ?? 'NONE';
  // Istio leaves an empty protocol to sniffing; tsiod does not sniff, so it is TCP.
  const ports: ServicePort[] = spec.ports.map((port) => ({
    name: port.name,
    port: port.number,
    protocol: parseProtocolName(port.protocol ?? '') ?? 'TCP',
    ...(port.targetPort !== undefined ? { targetPort: port.targetPort } : {}),
  }));
  const exportTo = spec.exportTo && spec.exportTo.length > 0 ? [...spec.exportTo] : exportToAnnotation(entry.metadata.annotations) ?? ['*'];
  const address = spec.addresses?.[0];
  return spec.hosts.map((host) => {
    const service: MeshService = {
      hostname: host,
      name: host,
      namespace: entry.metadata.namespace,
      ports,
      ...(address !== undefined ? { clusterIP: address } : {}),
      labels: entry.metadata.labels,
      origin: 'serviceentry',
      resolution,
      meshExternal: spec.location !== 'MESH_INTERNAL',
      exportTo,
    };
    return { service, endpoints: serviceEntryEndpoints(spec, host, ports) };
  });
}

function serviceEntryEndpoints(spec: ServiceEntrySpec, host: string, ports: readonly ServicePort[]): WorkloadEndpoint[] {
  const resolution = spec.resolution ?? 'NONE';
  if (resolution === 'NONE') return [];
  const inline: readonly ServiceEntryEndpoint[] =
    spec.endpoints && spec.endpoints.length > 0
      ? spec.endpoints
      : resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN'
        ? [{ address: host }]
        : [];
  const out: WorkloadEndpoint[] = [];
  for (const endpoint of inline) {
    const locality = parseLocality(endpoint.locality);
    for (const port of ports) {
      // The endpoint's own port for this port name, else the port's targetPort, else the port itself.
      const target = endpoint.ports?.[port.name] ?? (typeof port.targetPort === 'number' ? port.targetPort : port.port);
      out.push({
        address: endpoint.address,
        port: target,
        servicePortName: port.name,
        servicePort: port.port,
        labels: endpoint.labels ?? {},
        ready: true,
        ...(locality ? { locality } : {}),
        ...(endpoint.weight !== undefined ? { weight: endpoint.weight } : {}),
      });
    }
  }
  return out;
}

/**
 * The service ports a proxy's own workload serves (Istio's ServiceTargets):
 * what its inbound listener and inbound clusters are built from. A service
 * counts when it is in the proxy's namespace and its selector matches the
 * proxy's labels (how Istio finds a pod's services); the port the workload
 * listens on comes from the proxy's own endpoint when the snapshot has one
 * (it resolves named target ports), else from a numeric targetPort, else
 * it is the service port.
 */
import { labelsMatch } from '../../../model/endpoint-index.js';
import type { ProxyNode } from '../../../model/proxy.js';
import type { MeshService, MeshSnapshot, ServicePort } from '../../../model/types.js';

export interface ServiceInstance {
  readonly service: MeshService;
  readonly servicePort: ServicePort;
  /** The port the workload itself listens on. */
  readonly targetPort: number;
}

function workloadPort(snapshot: MeshSnapshot, service: MeshService, port: ServicePort, addresses: ReadonlySet<string>): number {
  const own = snapshot.endpoints.forPort(service.hostname, port).find((e) => addresses.has(e.address));
  if (own) return own.port;
  return typeof port.targetPort === 'number' ? port.targetPort : port.port;
}

/** Sorted by service host, then service port. */
export function proxyServiceInstances(proxy: ProxyNode, snapshot: MeshSnapshot): ServiceInstance[] {
  const addresses = new Set(proxy.ipAddresses);
  const out: ServiceInstance[] = [];
  for (const service of snapshot.indexes.servicesByNamespace.get(proxy.namespace) ?? []) {
    if (service.origin !== 'kubernetes' || !service.selector || Object.keys(service.selector).length === 0) continue;
    if (!labelsMatch(service.selector, proxy.labels)) continue;
    for (const servicePort of service.ports) {
      out.push({ service, servicePort, targetPort: workloadPort(snapshot, service, servicePort, addresses) });
    }
  }
  return out.sort((a, b) => (a.service.hostname < b.service.hostname ? -1 : a.service.hostname > b.service.hostname ? 1 : a.servicePort.port - b.servicePort.port));
}

/**
 * The service ports a proxy's own workload serves (Istio's ServiceTargets):
 * what its inbound listener and inbound clusters are built from. A service
 * counts when it is in the proxy's namespace and its selector matches the
 * proxy's labels (how Istio finds a pod's services). The port the workload
 * listens on is a numeric targetPort; a named one is looked up in the
 * pod's container ports, which the injected proxy announces
 * (ISTIO_META_POD_PORTS), else in the proxy's own endpoint; without a
 * targetPort it is the service port. The container ports come first
 * because they are the proxy's own and never change, while endpoints come
 * and go with readiness.
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

/** Container port numbers by name, from ISTIO_META_POD_PORTS (a JSON array of Kubernetes ContainerPorts). */
function podPorts(proxy: ProxyNode): ReadonlyMap<string, number> {
  const out = new Map<string, number>();
  const raw = proxy.metadata['POD_PORTS'];
  let parsed: unknown;
  try {
    parsed = typeof raw === 'string' ? JSON.parse(raw) : raw;
  } catch {
    return out;
  }
  if (!Array.isArray(parsed)) return out;
  for (const entry of parsed) {
    const { name, containerPort } = (entry ?? {}) as { name?: unknown; containerPort?: unknown };
    if (typeof name === 'string' && typeof containerPort === 'number' && !out.has(name)) out.set(name, containerPort);
  }
  return out;
}

function workloadPort(
  snapshot: MeshSnapshot,
  service: MeshService,
  port: ServicePort,
  addresses: ReadonlySet<string>,
  containerPorts: ReadonlyMap<string, number>,
): number {
  if (typeof port.targetPort === 'number') return port.targetPort;
  if (port.targetPort === undefined || port.targetPort === '') return port.port;
  const named = containerPorts.get(port.targetPort);
  if (named !== undefined) return named;
  const own = snapshot.endpoints.forPort(service.hostname, port).find((e) => addresses.has(e.address));
  return own ? own.port : port.port;
}

/** Sorted by service host, then service port. */
export function proxyServiceInstances(proxy: ProxyNode, snapshot: MeshSnapshot): ServiceInstance[] {
  const addresses = new Set(proxy.ipAddresses);
  const containerPorts = podPorts(proxy);
  const out: ServiceInstance[] = [];
  for (const service of snapshot.indexes.servicesByNamespace.get(proxy.namespace) ?? []) {
    if (service.origin !== 'kubernetes' || !service.selector || Object.keys(service.selector).length === 0) continue;
    if (!labelsMatch(service.selector, proxy.labels)) continue;
    for (const servicePort of service.ports) {
      out.push({ service, servicePort, targetPort: workloadPort(snapshot, service, servicePort, addresses, containerPorts) });
    }
  }
  return out.sort((a, b) => (a.service.hostname < b.service.hostname ? -1 : a.service.hostname > b.service.hostname ? 1 : a.servicePort.port - b.servicePort.port));
}

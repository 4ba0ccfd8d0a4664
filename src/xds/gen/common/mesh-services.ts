/** Ordered views of the snapshot's services, so generator output never depends on Map insertion order. */
import type { ProxyNode } from '../../../model/proxy.js';
import type { MeshService, MeshSnapshot, ServicePort } from '../../../model/types.js';

export function sortedServices(snapshot: MeshSnapshot): MeshService[] {
  return [...snapshot.services.values()].sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
}

/**
 * The egress scope a proxy's output depends on: a sidecar's applying
 * Sidecar resource ("" when none). Gateways and proxyless clients are not
 * scoped by Sidecar resources, as in Istio.
 */
export function egressScopeOf(proxy: ProxyNode, snapshot: MeshSnapshot): string {
  return proxy.type === 'sidecar' ? snapshot.indexes.sidecarScope(proxy.namespace, proxy.labels) : '';
}

/** The services of an egress scope, sorted by host. */
export function scopedServices(snapshot: MeshSnapshot, scope: string): readonly MeshService[] {
  return snapshot.indexes.servicesInScope(scope);
}

/** HTTP-family ports: the ones Envoy terminates with an HttpConnectionManager and routes by RDS. */
export function isHttpPort(port: ServicePort): boolean {
  return port.protocol === 'HTTP' || port.protocol === 'HTTP2' || port.protocol === 'GRPC';
}

/** Ports whose upstream connections must speak HTTP/2. */
export function isHttp2Port(port: ServicePort): boolean {
  return port.protocol === 'HTTP2' || port.protocol === 'GRPC';
}

/** Headless Services and ServiceEntries without addresses have no VIP to match on. */
export function serviceVip(service: MeshService): string | undefined {
  const ip = service.clusterIP;
  if (ip === undefined || ip === '' || ip === 'None' || ip === '0.0.0.0') return undefined;
  return ip;
}

/**
 * Services whose endpoints are IP addresses the control plane knows, so they
 * can be served over EDS. DNS and passthrough (NONE) services resolve in the
 * client, which only Envoy can do; proxyless gRPC is limited to these.
 */
export function hasIpEndpoints(service: MeshService): boolean {
  return service.resolution === 'EDS' || service.resolution === 'STATIC';
}

/**
 * Resolves the host a gRPC client dialed to a service the way the pod's DNS
 * resolver would: Kubernetes' search path for the client's namespace
 * (<ns>.svc.<suffix>, svc.<suffix>, <suffix>) first, then the name as
 * written. So "reviews", "reviews.ns", "reviews.ns.svc" and the FQDN all work,
 * and a short name means the service in the client's own namespace.
 */
import type { MeshService, MeshSnapshot, ServicePort } from '../../../model/types.js';
import { hasIpEndpoints, sortedServices } from '../common/mesh-services.js';
import { parseDialedName } from './dialed-name.js';

export interface DialedTarget {
  /** The name exactly as requested: listener and route configuration are named after it. */
  readonly name: string;
  /** The host part as dialed, e.g. "reviews". */
  readonly dialedHost: string;
  readonly dialedPort?: number;
  readonly service: MeshService;
  readonly port: ServicePort;
}

function searchCandidates(host: string, namespace: string, domainSuffix: string): string[] {
  if (host.endsWith('.')) return [host.slice(0, -1)];
  return [`${host}.${namespace}.svc.${domainSuffix}`, `${host}.svc.${domainSuffix}`, `${host}.${domainSuffix}`, host];
}

export function resolveDialedService(snapshot: MeshSnapshot, host: string, namespace: string): MeshService | undefined {
  for (const candidate of searchCandidates(host, namespace, snapshot.mesh.domainSuffix)) {
    const service = snapshot.services.get(candidate);
    if (service) return service;
  }
  return undefined;
}

/**
 * Undefined when nothing answers to the name, the port is not a port of the
 * service, or the service cannot be reached without an Envoy (its endpoints
 * are not IPs the control plane knows).
 */
export function resolveDialedTarget(snapshot: MeshSnapshot, name: string, namespace: string): DialedTarget | undefined {
  const dialed = parseDialedName(name);
  if (!dialed) return undefined;
  const service = resolveDialedService(snapshot, dialed.host, namespace);
  if (!service || !hasIpEndpoints(service)) return undefined;
  // Without a port the client gets the service's only port, or its first when it has several.
  const port = dialed.port === undefined ? service.ports[0] : service.ports.find((p) => p.port === dialed.port);
  if (!port) return undefined;
  return { name, dialedHost: dialed.host, dialedPort: dialed.port, service, port };
}

/** What a wildcard subscriber sees: "<fqdn>:<port>" for every port of every reachable service. */
export function allProxylessTargets(services: readonly MeshService[]): DialedTarget[] {
  return services.filter(hasIpEndpoints).flatMap((service) =>
    service.ports.map((port) => ({
      name: `${service.hostname}:${port.port}`,
      dialedHost: service.hostname,
      dialedPort: port.port,
      service,
      port,
    })),
  );
}

/** Targets for a request: every wildcard target, or the requested names that resolve. */
export function proxylessTargets(snapshot: MeshSnapshot, namespace: string, names: ReadonlySet<string> | undefined): DialedTarget[] {
  if (!names) return allProxylessTargets(sortedServices(snapshot));
  const out: DialedTarget[] = [];
  for (const name of [...names].sort()) {
    const target = resolveDialedTarget(snapshot, name, namespace);
    if (target) out.push(target);
  }
  return out;
}

/**
 * Which services a sidecar proxy sees, from the Sidecar resource that
 * applies to it (Istio's SidecarScope): the union of its egress listeners'
 * hosts, each "namespace/dnsName" where the namespace is a name, "." (the
 * Sidecar's own), "*" (any) or "~" (none), and the DNS name exact, "*" or
 * a "*.suffix" wildcard. A Sidecar without egress sees everything, as does a
 * proxy no Sidecar applies to. This is Istio's main scale lever: a proxy in
 * a namespace limited to its own namespace gets only those services.
 */
import { configHostMatches } from './host-match.js';
import type { IstioConfig, MeshService, SidecarSpec } from './types.js';

interface EgressHost {
  readonly namespace: string;
  readonly dnsName: string;
}

function parseEgressHost(host: string, sidecarNamespace: string): EgressHost | undefined {
  const slash = host.indexOf('/');
  if (slash < 0) return undefined;
  const namespace = host.slice(0, slash);
  return { namespace: namespace === '.' ? sidecarNamespace : namespace, dnsName: host.slice(slash + 1) };
}

function selects(egress: EgressHost, service: MeshService): boolean {
  if (egress.namespace === '~') return false;
  if (egress.namespace !== '*' && egress.namespace !== service.namespace) return false;
  return configHostMatches(egress.dnsName, service.hostname);
}

/** The services `sidecar` lets its proxies see, in the order given (sorted by host). */
export function servicesInSidecarScope(sidecar: IstioConfig<SidecarSpec>, services: readonly MeshService[]): readonly MeshService[] {
  const listeners = sidecar.spec.egress ?? [];
  if (listeners.length === 0) return services;
  const hosts = listeners.flatMap((l) => l.hosts ?? []).flatMap((h) => parseEgressHost(h, sidecar.meta.namespace) ?? []);
  return Object.freeze(services.filter((service) => hosts.some((h) => selects(h, service))));
}

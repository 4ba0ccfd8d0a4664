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
import type { Destination, IstioConfig, MeshService, SidecarPort, SidecarSpec } from './types.js';

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

/**
 * One egress listener of a Sidecar with the services its hosts select
 * (Istio's IstioEgressListenerWrapper). A listener without a port is the
 * catch-all: it covers every port of its services not already claimed by a
 * listener with a port.
 */
export interface EgressListenerScope {
  readonly port?: SidecarPort;
  readonly bind?: string;
  readonly captureMode?: string;
  readonly services: readonly MeshService[];
}

/** A Sidecar's egress listeners in declared order; no Sidecar, or one without egress, is a single catch-all over `services`. */
export function sidecarEgressListeners(sidecar: IstioConfig<SidecarSpec> | undefined, services: readonly MeshService[]): readonly EgressListenerScope[] {
  const listeners = sidecar?.spec.egress ?? [];
  if (!sidecar || listeners.length === 0) return [{ services }];
  return listeners.map((listener) => {
    const hosts = (listener.hosts ?? []).flatMap((h) => parseEgressHost(h, sidecar.meta.namespace) ?? []);
    return {
      port: listener.port,
      bind: listener.bind,
      captureMode: listener.captureMode,
      services: services.filter((service) => hosts.some((h) => selects(h, service))),
    };
  });
}

export interface OutboundPolicy {
  readonly mode: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** Only under ALLOW_ANY: where unknown destinations go instead of their original address. */
  readonly egressProxy?: Destination;
}

/** The Sidecar's outboundTrafficPolicy when it sets one, else the mesh's (Istio's SidecarScope.OutboundTrafficPolicy). */
export function outboundPolicyOf(sidecar: IstioConfig<SidecarSpec> | undefined, meshMode: OutboundPolicy['mode']): OutboundPolicy {
  const own = sidecar?.spec.outboundTrafficPolicy;
  if (!own) return { mode: meshMode };
  // REGISTRY_ONLY is the enum's zero value: a policy without a mode restricts.
  const mode = own.mode === 'ALLOW_ANY' ? 'ALLOW_ANY' : 'REGISTRY_ONLY';
  return mode === 'ALLOW_ANY' && own.egressProxy?.host ? { mode, egressProxy: own.egressProxy } : { mode };
}

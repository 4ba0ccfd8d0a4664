/**
 * Which outbound listeners a sidecar gets (Istio's
 * buildSidecarOutboundListeners): its Sidecar's egress listeners in order.
 * One with a port makes that port's listener for its hosts' services only;
 * the catch-all (no port) then adds every other service port, but never
 * touches a listener an egress port already made. HTTP-family ports share
 * one listener per bind address and port, routed by RDS "<port>"; other
 * TCP ports get one per service address and port, and services without an
 * address share 0.0.0.0_<port>. An HTTP and a TCP claim on one address and
 * port do not mix: the first keeps it, as Istio keeps the first on conflict.
 */
import { parseProtocolName } from '../../../config/protocol.js';
import type { EgressListenerScope } from '../../../model/sidecar-scope.js';
import type { MeshService, MeshSnapshot, ServicePort } from '../../../model/types.js';
import { isHttpPort, serviceVip } from '../common/mesh-services.js';
import { egressListenersOfScope } from './sidecar-resource.js';

export const WILDCARD_ADDRESS = '0.0.0.0';
/** Where Istio binds listeners that must bind without an address of their own (its actualLocalHosts). */
const LOCALHOST = '127.0.0.1';

/**
 * The sidecar's own capture ports (outbound 15001, inbound 15006): a
 * 0.0.0.0 listener for a service port with the same number would collide
 * with them, so Istio does not build one.
 */
const CAPTURE_PORTS: ReadonlySet<number> = new Set([15001, 15006]);

/**
 * Where a listener sits: on an address iptables captures for (bindToPort
 * false), or bound for real when nothing is captured (the proxy's
 * interception mode NONE, or the egress listener's captureMode NONE).
 */
export interface ListenerBinding {
  readonly address: string;
  readonly bindToPort: boolean;
}

export interface HttpListenerPlan extends ListenerBinding {
  readonly kind: 'http';
  readonly port: number;
}

/** One service's share of a TCP listener. */
export interface TcpListenerMember {
  readonly service: MeshService;
  /** The port listened on, with the protocol that decides its chains (the egress listener's, or the service's). */
  readonly listenPort: ServicePort;
}

export interface TcpListenerPlan extends ListenerBinding {
  readonly kind: 'tcp';
  readonly port: number;
  /** Services sharing the listener (on 0.0.0.0 or an egress bind address), in the order they claimed it. */
  readonly members: TcpListenerMember[];
}

export type OutboundListenerPlan = HttpListenerPlan | TcpListenerPlan;

interface PlanEntry {
  readonly plan: OutboundListenerPlan;
  locked: boolean;
}

/**
 * The address of a non-HTTP listener for a service without a VIP (Istio
 * listens on 0.0.0.0 then, telling services apart by SNI on TLS ports).
 * Headless Kubernetes Services, and ServiceEntries with resolution NONE
 * that have endpoints, get per-endpoint listeners in Istio; those are not
 * built, so such services get none. (Whether a NONE entry has endpoints is
 * read again on each full push, not on endpoint-only pushes.)
 */
function addressWithoutVip(snapshot: MeshSnapshot, service: MeshService): string | undefined {
  if (service.origin === 'kubernetes') return undefined;
  if (service.resolution === 'NONE' && (snapshot.endpoints.get(service.hostname) ?? []).length > 0) return undefined;
  return WILDCARD_ADDRESS;
}

/** An egress listener's port as a service port; tsiod does not sniff, so a protocol Istio cannot parse is TCP. */
function egressPort(listener: EgressListenerScope): ServicePort | undefined {
  const number = listener.port?.number;
  if (typeof number !== 'number' || number <= 0) return undefined;
  const protocol = parseProtocolName(listener.port?.protocol ?? '') ?? 'TCP';
  return { name: listener.port?.name ?? '', port: number, protocol };
}

class PlanBuilder {
  private readonly entries = new Map<string, PlanEntry>();

  constructor(private readonly snapshot: MeshSnapshot) {}

  lockAll(): void {
    for (const entry of this.entries.values()) entry.locked = true;
  }

  /** `bind` is the egress listener's own address; with `bindToPort`, no address means localhost. */
  add(service: MeshService, port: ServicePort, bind: string | undefined, bindToPort: boolean): void {
    if (port.protocol === 'UDP') return;
    const given = bind || (bindToPort ? LOCALHOST : undefined);
    if (isHttpPort(port)) {
      const address = given ?? WILDCARD_ADDRESS;
      if (address === WILDCARD_ADDRESS && CAPTURE_PORTS.has(port.port)) return;
      this.claim({ kind: 'http', address, bindToPort, port: port.port });
      return;
    }
    const address = given ?? serviceVip(service) ?? addressWithoutVip(this.snapshot, service);
    if (!address) return;
    const member = { service, listenPort: port };
    const existing = this.entries.get(`${address}_${port.port}`);
    // TCP services meeting on one address and port share the listener (Istio's mergeTCPFilterChains).
    if (existing?.plan.kind === 'tcp' && !existing.locked) existing.plan.members.push(member);
    else this.claim({ kind: 'tcp', address, bindToPort, port: port.port, members: [member] });
  }

  private claim(plan: OutboundListenerPlan): void {
    const key = `${plan.address}_${plan.port}`;
    if (!this.entries.has(key)) this.entries.set(key, { plan, locked: false });
  }

  plans(): OutboundListenerPlan[] {
    return [...this.entries.values()].map((e) => e.plan);
  }
}

/** `captured`: the proxy's traffic is redirected to it (interception mode other than NONE). */
export function outboundListenerPlans(snapshot: MeshSnapshot, scope: string, captured = true): OutboundListenerPlan[] {
  const builder = new PlanBuilder(snapshot);
  for (const listener of egressListenersOfScope(snapshot, scope)) {
    const port = egressPort(listener);
    const bindToPort = !captured || listener.captureMode === 'NONE';
    if (port) {
      for (const service of listener.services) builder.add(service, port, listener.bind, bindToPort);
    } else {
      builder.lockAll();
      for (const service of listener.services) for (const servicePort of service.ports) builder.add(service, servicePort, listener.bind, bindToPort);
    }
  }
  return builder.plans();
}

/** The route configuration names ("<port>") the HTTP listeners fetch, ascending. */
export function httpRoutePorts(plans: readonly OutboundListenerPlan[]): number[] {
  const ports = new Set<number>();
  for (const plan of plans) if (plan.kind === 'http') ports.add(plan.port);
  return [...ports].sort((a, b) => a - b);
}

/**
 * The services route configuration "<port>" serves (Istio's
 * GetEgressListenerForRDS): those of the egress listener declaring that
 * port, else the catch-all's; only their ports with that number count.
 */
export function routeConfigServices(snapshot: MeshSnapshot, scope: string, port: number): readonly MeshService[] {
  const listeners = egressListenersOfScope(snapshot, scope);
  const listener = listeners.find((l) => egressPort(l)?.port === port) ?? listeners.find((l) => !egressPort(l));
  return listener?.services ?? [];
}

/**
 * VirtualService `tcp` and `tls` routes as a sidecar sees them (Istio's
 * matchTCP / matchTLS): bound to the mesh, visible in the proxy's
 * namespace, and with each match's static conditions (port, gateways,
 * sourceLabels, sourceNamespace) decided for this proxy. Which
 * VirtualServices are visible depends on the namespace and sourceLabels on
 * the labels; the key names exactly that: the namespace only when some
 * visible VirtualService has L4 routes, and the matches whose sourceLabels
 * the proxy satisfies.
 */
import { labelsMatch } from '../../../model/endpoint-index.js';
import type { ProxyNode } from '../../../model/proxy.js';
import type { Destination, IstioConfig, MeshSnapshot, VirtualServiceSpec } from '../../../model/types.js';
import { configHostMatches } from '../common/host-match.js';
import { MESH_GATEWAY } from '../common/find-virtual-service.js';

export interface L4RouteDestination {
  readonly destination: Destination;
  readonly weight?: number;
}

export interface L4Match {
  readonly port?: number;
  readonly destinationSubnets?: readonly string[];
  readonly sniHosts?: readonly string[];
  readonly sourceLabels?: Readonly<Record<string, string>>;
  readonly sourceNamespace?: string;
  readonly gateways?: readonly string[];
}

export interface L4Route {
  readonly match?: readonly L4Match[];
  readonly route?: readonly L4RouteDestination[];
}

export type L4Kind = 'tcp' | 'tls';

export interface L4RouteView {
  /** The proxy's namespace when it sees any VirtualService with L4 routes, else "". */
  readonly l4Namespace: string;
  /** "<vs namespace>/<vs name>/<kind>/<route>/<match>" of every match whose sourceLabels the proxy's labels satisfy. */
  readonly l4SourceMatches: readonly string[];
}

export function l4Routes(vs: IstioConfig<VirtualServiceSpec>, kind: L4Kind): L4Route[] {
  return (vs.spec[kind] ?? []).filter((r): r is L4Route => typeof r === 'object' && r !== null);
}

function hasL4Routes(vs: IstioConfig<VirtualServiceSpec>): boolean {
  return l4Routes(vs, 'tcp').length > 0 || l4Routes(vs, 'tls').length > 0;
}

function matchId(vs: IstioConfig<VirtualServiceSpec>, kind: L4Kind, route: number, match: number): string {
  return `${vs.meta.namespace}/${vs.meta.name}/${kind}/${route}/${match}`;
}

export function l4RouteView(proxy: ProxyNode, snapshot: MeshSnapshot): L4RouteView {
  const visible = snapshot.indexes.virtualServicesForGateway(proxy.namespace, MESH_GATEWAY).filter(hasL4Routes);
  if (visible.length === 0) return { l4Namespace: '', l4SourceMatches: [] };
  const matched: string[] = [];
  for (const vs of visible) {
    for (const kind of ['tcp', 'tls'] as const) {
      l4Routes(vs, kind).forEach((route, r) =>
        (route.match ?? []).forEach((match, m) => {
          if (match.sourceLabels && labelsMatch(match.sourceLabels, proxy.labels)) matched.push(matchId(vs, kind, r, m));
        }),
      );
    }
  }
  return { l4Namespace: proxy.namespace, l4SourceMatches: matched.sort() };
}

/** A match of one route, with its identity for sourceLabels decisions. */
export interface ScopedL4Route {
  readonly vs: IstioConfig<VirtualServiceSpec>;
  readonly route: L4Route;
  /** Whether the static conditions of each match hold for this proxy on `port`. */
  readonly matchHolds: (match: L4Match, index: number, port: number) => boolean;
}

/** The L4 routes of one kind that VirtualServices for `hostname` give this view, VirtualServices in visibility order. */
export function l4RoutesForHost(snapshot: MeshSnapshot, view: L4RouteView, hostname: string, kind: L4Kind): ScopedL4Route[] {
  if (view.l4Namespace === '') return [];
  const sourceMatches = new Set(view.l4SourceMatches);
  const out: ScopedL4Route[] = [];
  for (const vs of snapshot.indexes.virtualServicesForGateway(view.l4Namespace, MESH_GATEWAY)) {
    if (!vs.spec.hosts.some((h) => configHostMatches(h, hostname))) continue;
    l4Routes(vs, kind).forEach((route, r) => {
      const matchHolds = (match: L4Match, m: number, port: number): boolean =>
        (!match.port || match.port === port) &&
        (!match.gateways || match.gateways.length === 0 || match.gateways.includes(MESH_GATEWAY)) &&
        (!match.sourceLabels || sourceMatches.has(matchId(vs, kind, r, m))) &&
        (!match.sourceNamespace || match.sourceNamespace === view.l4Namespace);
      out.push({ vs, route, matchHolds });
    });
  }
  return out;
}

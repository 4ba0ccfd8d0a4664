/**
 * Filter chains of a sidecar's outbound TCP listener (Istio's
 * buildSidecarOutboundTCPFilterChainOpts and
 * buildSidecarOutboundTLSFilterChainOpts). TLS and HTTPS ports are
 * selected by `tls` routes, one chain per distinct SNI/subnet match; other
 * TCP ports by `tcp` routes, where the first route that matches any
 * destination ends the list. Without a route that matches everything, the
 * service's own cluster is the destination.
 */
import type { MeshService, MeshSnapshot, ServicePort } from '../../../model/types.js';
import { outboundClusterName } from '../common/cluster-names.js';
import { TCP_PROXY_FILTER, TCP_PROXY_TYPE } from '../common/type-names.js';
import { destinationCluster } from '../rds/destination-cluster.js';
import { l4RoutesForHost, type L4RouteDestination, type L4RouteView } from './sidecar-l4-routes.js';
import { tcpProxyFilter } from './tcp-proxy-filter.js';

export interface L4ChainOpts {
  readonly sniHosts: readonly string[];
  readonly destinationCidrs: readonly string[];
  readonly filter: Record<string, unknown>;
}

export interface L4ChainContext {
  readonly snapshot: MeshSnapshot;
  readonly view: L4RouteView;
}

function isTlsPort(port: ServicePort): boolean {
  return port.protocol === 'TLS' || port.protocol === 'HTTPS';
}

/** Istio's buildOutboundNetworkFilters: one destination by name; several split by weight (zero weights left out). */
function routeFilter(snapshot: MeshSnapshot, routes: readonly L4RouteDestination[], port: number, statPrefix: string): Record<string, unknown> | undefined {
  const cluster = (r: L4RouteDestination): string => destinationCluster(snapshot, r.destination, port);
  if (routes.length === 1) return tcpProxyFilter(cluster(routes[0] as L4RouteDestination));
  const weighted = routes.filter((r) => (r.weight ?? 0) > 0);
  if (weighted.length === 0) return undefined;
  return {
    name: TCP_PROXY_FILTER,
    typedConfig: { '@type': TCP_PROXY_TYPE, statPrefix, weightedClusters: { clusters: weighted.map((r) => ({ name: cluster(r), weight: r.weight })) } },
  };
}

/** A listener port that is not the service's own falls back to the service's only port, if it has just one. */
function serviceCluster(service: MeshService, listenPort: ServicePort): string {
  const only = service.ports.length === 1 ? service.ports[0]?.port : undefined;
  return outboundClusterName(service.hostname, only ?? listenPort.port);
}

function tlsChains(context: L4ChainContext, service: MeshService, listenPort: ServicePort, onWildcard: boolean): L4ChainOpts[] {
  const handled = new Set<string>();
  const out: L4ChainOpts[] = [];
  for (const { vs, route, matchHolds } of l4RoutesForHost(context.snapshot, context.view, service.hostname, 'tls')) {
    if (!route.route || route.route.length === 0) continue;
    (route.match ?? []).forEach((match, m) => {
      if (!matchHolds(match, m, listenPort.port)) return;
      const sniHosts = match.sniHosts ?? [];
      const destinationCidrs = match.destinationSubnets ?? [];
      // Matches differing only in static conditions cannot both be reached on this proxy: the first wins.
      const runtime = `${sniHosts.join(',')}|${destinationCidrs.join(',')}`;
      if (handled.has(runtime)) return;
      handled.add(runtime);
      const filter = routeFilter(context.snapshot, route.route ?? [], listenPort.port, `${vs.meta.name}.${vs.meta.namespace}`);
      if (filter) out.push({ sniHosts, destinationCidrs, filter });
    });
  }
  if (out.length > 0) return out;
  // On the service's VIP the destination is known without SNI; on 0.0.0.0 only the SNI tells services apart.
  const cluster = serviceCluster(service, listenPort);
  return [{ sniHosts: onWildcard ? [service.hostname] : [], destinationCidrs: [], filter: tcpProxyFilter(cluster) }];
}

function tcpChains(context: L4ChainContext, service: MeshService, listenPort: ServicePort): L4ChainOpts[] {
  const out: L4ChainOpts[] = [];
  for (const { vs, route, matchHolds } of l4RoutesForHost(context.snapshot, context.view, service.hostname, 'tcp')) {
    if (!route.route || route.route.length === 0) continue;
    const statPrefix = `${vs.meta.name}.${vs.meta.namespace}`;
    const filter = routeFilter(context.snapshot, route.route, listenPort.port, statPrefix);
    if (!filter) continue;
    const matches = route.match ?? [];
    // A route without matches, or with a holding match on any destination, takes everything left: it ends the list.
    if (matches.length === 0 || matches.some((m, i) => matchHolds(m, i, listenPort.port) && (m.destinationSubnets ?? []).length === 0)) {
      out.push({ sniHosts: [], destinationCidrs: [], filter });
      return out;
    }
    const subnets = matches.flatMap((m, i) => (matchHolds(m, i, listenPort.port) ? (m.destinationSubnets ?? []) : []));
    if (subnets.length > 0) out.push({ sniHosts: [], destinationCidrs: subnets, filter });
  }
  out.push({ sniHosts: [], destinationCidrs: [], filter: tcpProxyFilter(serviceCluster(service, listenPort)) });
  return out;
}

/** `onWildcard`: the listener is on 0.0.0.0 rather than the service's own address. */
export function l4ChainOpts(context: L4ChainContext, service: MeshService, listenPort: ServicePort, onWildcard: boolean): L4ChainOpts[] {
  return isTlsPort(listenPort) ? tlsChains(context, service, listenPort, onWildcard) : tcpChains(context, service, listenPort);
}

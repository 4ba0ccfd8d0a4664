/**
 * Filter chains of gateway servers that proxy connections rather than HTTP
 * requests (Istio's createGatewayTCPFilterChainOpts): a TCP server (or a TLS
 * server terminating TLS) forwards by the first matching `tcp` route of a
 * bound VirtualService; a PASSTHROUGH server gets one chain per matching
 * `tls` route, selected by its sniHosts; an AUTO_PASSTHROUGH server one per
 * mesh service port its hosts cover, selected by the SNI Istio clients
 * send for that service's cluster.
 */
import type { Destination, IstioConfig, MeshSnapshot, VirtualServiceSpec } from '../../../model/types.js';
import { TCP_PROXY_FILTER, TCP_PROXY_TYPE } from '../common/type-names.js';
import { tcpProxyFilter } from '../lds/tcp-proxy-filter.js';
import { destinationCluster } from '../rds/destination-cluster.js';
import { anyGatewayHostMatches, hostSubsetOf } from './gateway-hosts.js';
import { sniMatch, type GatewayFilterChain } from './gateway-http-chain.js';
import { serverTls, tlsModeOf } from './gateway-server.js';
import { buildGatewayTlsContext, downstreamTlsTransportSocket } from './gateway-tls-context.js';
import type { MergedServer } from './merge-gateways.js';
import type { WorkloadSecretSource } from '../common/sds-config.js';

interface RouteDestination {
  readonly destination: Destination;
  readonly weight?: number;
}

interface L4Match {
  readonly port?: number;
  readonly gateways?: readonly string[];
  readonly sniHosts?: readonly string[];
}

interface L4Route {
  readonly match?: readonly L4Match[];
  readonly route?: readonly RouteDestination[];
}

/** Istio's allIstioMtlsALPNs: what an Istio client offers when it originates mTLS. */
const ISTIO_MTLS_ALPNS: readonly string[] = ['istio', 'istio-peer-exchange', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2'];

export interface TcpChainContext {
  readonly snapshot: MeshSnapshot;
  readonly proxyNamespace: string;
  /** SNI names already matched on this listener, with their bind: a repeat would make Envoy reject the listener. */
  readonly sniHostsOnListener: Map<string, string>;
  /** Where the gateway gets its own certificate (ISTIO_MUTUAL servers). */
  readonly workloadSds: WorkloadSecretSource;
}

/** Istio's l4SingleMatch: the match's port (if any) is the server's, and its gateways (if any) include this one. */
function l4Matches(match: L4Match, serverPort: number, gateway: string): boolean {
  const portOk = !match.port || match.port === serverPort;
  const gatewayOk = !match.gateways || match.gateways.length === 0 || match.gateways.includes(gateway);
  return portOk && gatewayOk;
}

function l4Routes(value: readonly unknown[] | undefined): L4Route[] {
  return (value ?? []).filter((r): r is L4Route => typeof r === 'object' && r !== null);
}

/** Istio's buildOutboundNetworkFilters: one destination by name; several split by weight (zero weights left out). */
function proxyFilter(routes: readonly RouteDestination[], vs: IstioConfig<VirtualServiceSpec>, serverPort: number, snapshot: MeshSnapshot): Record<string, unknown> | undefined {
  const cluster = (d: RouteDestination): string => destinationCluster(snapshot, d.destination, serverPort);
  if (routes.length === 1) return tcpProxyFilter(cluster(routes[0] as RouteDestination));
  const weighted = routes.filter((r) => (r.weight ?? 0) > 0);
  if (weighted.length === 0) return undefined;
  return {
    name: TCP_PROXY_FILTER,
    typedConfig: {
      '@type': TCP_PROXY_TYPE,
      statPrefix: `${vs.meta.name}.${vs.meta.namespace}`,
      weightedClusters: { clusters: weighted.map((r) => ({ name: cluster(r), weight: r.weight })) },
    },
  };
}

function boundVirtualServices(context: TcpChainContext, merged: MergedServer): IstioConfig<VirtualServiceSpec>[] {
  return context.snapshot.indexes
    .virtualServicesForGateway(context.proxyNamespace, merged.gateway)
    .filter((vs) => anyGatewayHostMatches(merged.server.hosts, vs.spec.hosts, vs.meta.namespace));
}

/** The first tcp route (of the first VirtualService) matching this server, as a network filter. */
function tcpRouteFilter(context: TcpChainContext, merged: MergedServer): Record<string, unknown> | undefined {
  const port = merged.server.port.number;
  for (const vs of boundVirtualServices(context, merged)) {
    for (const tcp of l4Routes(vs.spec.tcp)) {
      const matches = tcp.match ?? [];
      if (matches.length > 0 && !matches.some((m) => l4Matches(m, port, merged.gateway))) continue;
      if (!tcp.route || tcp.route.length === 0) continue;
      return proxyFilter(tcp.route, vs, port, context.snapshot);
    }
  }
  return undefined;
}

/** Whether any of `hosts` is already matched on this listener under the same bind; if not, they now are. */
function claimSniHosts(context: TcpChainContext, hosts: readonly string[], bind: string): boolean {
  if (hosts.some((h) => context.sniHostsOnListener.get(h) === bind)) return false;
  for (const h of hosts) context.sniHostsOnListener.set(h, bind);
  return true;
}

function passthroughChains(context: TcpChainContext, merged: MergedServer): GatewayFilterChain[] {
  const port = merged.server.port.number;
  const out: GatewayFilterChain[] = [];
  for (const vs of boundVirtualServices(context, merged)) {
    for (const tls of l4Routes(vs.spec.tls)) {
      if (!tls.route || tls.route.length === 0) continue;
      for (const match of tls.match ?? []) {
        if (!l4Matches(match, port, merged.gateway)) continue;
        const sniHosts = match.sniHosts ?? [];
        if (!claimSniHosts(context, sniHosts, merged.server.bind ?? '')) continue;
        const filter = proxyFilter(tls.route, vs, port, context.snapshot);
        if (!filter) continue;
        const chain: Record<string, unknown> = {};
        const chainMatch = sniMatch(sniHosts);
        if (chainMatch) chain['filterChainMatch'] = chainMatch;
        chain['filters'] = [filter];
        out.push({ chain, needsTlsInspector: sniHosts.length > 0 });
      }
    }
  }
  return out;
}

/** Istio's BuildDNSSrvSubsetKey: the SNI an Istio client sends, and the name of the gateway's SNI-DNAT cluster. */
function sniDnatClusterName(hostname: string, port: number, subset: string): string {
  return `outbound_.${port}_.${subset}_.${hostname}`;
}

function autoPassthroughChains(context: TcpChainContext, merged: MergedServer): GatewayFilterChain[] {
  const out: GatewayFilterChain[] = [];
  for (const service of context.snapshot.indexes.servicesInScope('')) {
    if (service.meshExternal) continue;
    if (!merged.sniHosts.some((h) => hostSubsetOf(service.hostname, h))) continue;
    const rule = context.snapshot.indexes.destinationRuleFor(context.proxyNamespace, service.hostname, service.namespace);
    const subsets = ['', ...(rule?.rule.spec.subsets ?? []).map((s) => s.name)];
    for (const port of service.ports) {
      if (port.protocol === 'UDP') continue;
      for (const subset of subsets) {
        const cluster = sniDnatClusterName(service.hostname, port.port, subset);
        out.push({
          chain: { filterChainMatch: sniMatch([cluster], ISTIO_MTLS_ALPNS), filters: [tcpProxyFilter(cluster)] },
          needsTlsInspector: true,
        });
      }
    }
  }
  return out;
}

export function tcpServerChains(context: TcpChainContext, merged: MergedServer): GatewayFilterChain[] {
  const tls = serverTls(merged.server);
  if (!tls) {
    const filter = tcpRouteFilter(context, merged);
    return filter ? [{ chain: { filters: [filter] }, needsTlsInspector: false }] : [];
  }
  const mode = tlsModeOf(tls);
  if (mode === 'AUTO_PASSTHROUGH') return autoPassthroughChains(context, merged);
  if (mode === 'PASSTHROUGH') return passthroughChains(context, merged);
  const tlsContext = buildGatewayTlsContext(tls, true, context.workloadSds, context.snapshot.mesh.tlsDefaults);
  const filter = tcpRouteFilter(context, merged);
  if (!tlsContext || !filter) return [];
  const chain: Record<string, unknown> = {};
  const match = sniMatch(merged.sniHosts);
  if (match) chain['filterChainMatch'] = match;
  chain['filters'] = [filter];
  chain['transportSocket'] = downstreamTlsTransportSocket(tlsContext);
  return [{ chain, needsTlsInspector: true }];
}

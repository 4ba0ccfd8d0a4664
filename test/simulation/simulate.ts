/**
 * "Where does this request go and what happens to it", answered from the
 * LDS/RDS/CDS/EDS resources one proxy received, by Envoy's own matching
 * rules: listener, filter chain, route configuration, virtual host, route,
 * action, and the clusters (with their endpoints) it may reach. It plays
 * the part of Istio's pilot/pkg/simulation for tsiod's tests, and reports
 * more of the action (faults, retries, mirrors, hashing, headers, CORS) so
 * that tests can assert what only Envoy would show. A step that finds
 * nothing throws a SimulationError naming the step and what was there.
 */
import { summarizeCluster, type ClusterSummary } from './cluster-summary.js';
import { matchFilterChain, type MatchedChain } from './match-filter-chain.js';
import { matchListener } from './match-listener.js';
import { matchRoute } from './match-route.js';
import { hostForMatching, matchVirtualHost } from './match-virtual-host.js';
import { normalizeRequest, type NormalizedRequest, type SimulatedRequest } from './request.js';
import {
  CORS_FILTER,
  FAULT_FILTER,
  faultOf,
  headerMutations,
  perFilterConfig,
  routeActionOf,
  type Fault,
  type HeaderMutations,
  type RouteAction,
  type WeightedTarget,
} from './route-outcome.js';
import { SimulationError } from './simulation-error.js';
import { flag, indexResources, numeric, record, records, strings, text, typeOf, type Json, type XdsResources, type XdsView } from './xds-view.js';

const HCM_TYPE = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const TCP_PROXY_TYPE = 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';

export interface HttpOutcome {
  readonly routeConfig: string;
  /** True when the connection manager carries its route configuration inline instead of using RDS. */
  readonly inlineRouteConfig: boolean;
  readonly httpFilters: readonly string[];
  readonly virtualHost: string;
  readonly route: { readonly name: string | undefined; readonly index: number; readonly match: Json };
  readonly action: RouteAction;
  /** The fault the fault filter injects; undefined when there is none or the filter is not installed. */
  readonly fault: Fault | undefined;
  /** The CORS policy in force; undefined when there is none or the CORS filter is not installed. */
  readonly cors: Json | undefined;
  readonly requestHeaders: HeaderMutations;
  readonly responseHeaders: HeaderMutations;
  /** Per-filter configs present on the route path whose HTTP filter is not installed (so Envoy ignores them). */
  readonly ignoredFilterConfigs: readonly string[];
}

export interface DownstreamTls {
  /** Mutual TLS: the client must present a certificate. */
  readonly requireClientCertificate: boolean;
  /** SDS secrets the server certificate comes from ("default" is the workload's own in Istio). */
  readonly certificateSecrets: readonly string[];
  readonly alpnProtocols: readonly string[];
}

export interface TcpOutcome {
  readonly targets: readonly WeightedTarget[];
  readonly weighted: boolean;
}

export interface SimulationResult {
  readonly listener: string;
  readonly filterChain: { readonly index: number; readonly name: string | undefined; readonly isDefault: boolean };
  /** Whether the chain terminates TLS (has a downstream transport socket). */
  readonly terminatesTls: boolean;
  /** The chain's TLS server side, when it terminates TLS. */
  readonly downstreamTls: DownstreamTls | undefined;
  readonly http: HttpOutcome | undefined;
  readonly tcp: TcpOutcome | undefined;
  /** Every cluster the request may reach, targets and mirrors, by name. */
  readonly clusters: Readonly<Record<string, ClusterSummary>>;
}

function networkFilter(chain: Json, type: string): Json | undefined {
  for (const filter of records(chain['filters'])) {
    const config = record(filter['typedConfig']);
    if (typeOf(config) === type) return config;
  }
  return undefined;
}

function routeConfigOf(view: XdsView, hcm: Json, listenerName: string): { name: string; config: Json; inline: boolean } {
  const inline = record(hcm['routeConfig']);
  if (inline) return { name: text(inline['name']) ?? '(inline)', config: inline, inline: true };
  const name = text(record(hcm['rds'])?.['routeConfigName']);
  if (name === undefined) throw new SimulationError('route config', `listener ${listenerName}: the connection manager names no route configuration`);
  const config = view.routes.get(name);
  if (!config) {
    throw new SimulationError('route config', `listener ${listenerName} uses RDS "${name}", which RDS does not have; RDS has: ${[...view.routes.keys()].join(', ') || '(none)'}`);
  }
  return { name, config, inline: false };
}

function simulateHttp(view: XdsView, hcm: Json, request: NormalizedRequest, listenerName: string): HttpOutcome {
  const { name: routeConfigName, config: routeConfig, inline } = routeConfigOf(view, hcm, listenerName);
  const httpFilters = records(hcm['httpFilters']).map((f) => text(f['name']) ?? '');
  const host = hostForMatching(request, routeConfig, {
    stripAnyHostPort: flag(hcm['stripAnyHostPort']) === true,
    stripMatchingPort: flag(hcm['stripMatchingHostPort']) === true ? request.port : undefined,
  });
  const virtualHost = matchVirtualHost(routeConfig, host, routeConfigName);
  const { route, index } = matchRoute(virtualHost, request);
  const levels = [route, virtualHost, routeConfig];
  const faultConfig = perFilterConfig(FAULT_FILTER, levels);
  const corsConfig = perFilterConfig(CORS_FILTER, levels) ?? record(record(route['route'])?.['cors']) ?? record(virtualHost['cors']);
  const ignored = new Set<string>();
  for (const level of levels) {
    for (const name of Object.keys(record(level['typedPerFilterConfig']) ?? {})) if (!httpFilters.includes(name)) ignored.add(name);
  }
  return {
    routeConfig: routeConfigName,
    inlineRouteConfig: inline,
    httpFilters,
    virtualHost: text(virtualHost['name']) ?? '',
    route: { name: text(route['name']), index, match: record(route['match']) ?? {} },
    action: routeActionOf(route, virtualHost, request),
    fault: faultConfig && httpFilters.includes(FAULT_FILTER) ? faultOf(faultConfig) : undefined,
    cors: corsConfig && httpFilters.includes(CORS_FILTER) ? corsConfig : undefined,
    requestHeaders: headerMutations('request', { route, virtualHost, routeConfig }),
    responseHeaders: headerMutations('response', { route, virtualHost, routeConfig }),
    ignoredFilterConfigs: [...ignored].sort(),
  };
}

function downstreamTlsOf(chain: Json): DownstreamTls | undefined {
  const context = record(record(chain['transportSocket'])?.['typedConfig']);
  if (!context) return undefined;
  const common = record(context['commonTlsContext']);
  return {
    requireClientCertificate: flag(context['requireClientCertificate']) === true,
    certificateSecrets: records(common?.['tlsCertificateSdsSecretConfigs']).map((s) => text(s['name']) ?? ''),
    alpnProtocols: strings(common?.['alpnProtocols']),
  };
}

function simulateTcp(tcpProxy: Json): TcpOutcome {
  const weighted = record(tcpProxy['weightedClusters']);
  if (weighted) {
    return { weighted: true, targets: records(weighted['clusters']).map((c) => ({ cluster: text(c['name']) ?? '', weight: numeric(c['weight']) ?? 0 })) };
  }
  return { weighted: false, targets: [{ cluster: text(tcpProxy['cluster']) ?? '', weight: 100 }] };
}

function checkProtocol(request: NormalizedRequest, matched: MatchedChain, isHttpChain: boolean, listenerName: string): void {
  const terminatesTls = record(matched.chain['transportSocket']) !== undefined;
  const where = `listener ${listenerName} chain ${matched.name ?? `#${matched.index}`}`;
  if (terminatesTls && !request.isTls) throw new SimulationError('protocol', `${where} expects TLS, but the request is plain ${request.protocol}`);
  if (terminatesTls && request.clientCertificate === false && downstreamTlsOf(matched.chain)?.requireClientCertificate) {
    throw new SimulationError('tls', `${where} requires a client certificate (mutual TLS), and the client presents none`);
  }
  if (!isHttpChain) return;
  const httpAfterTermination = request.protocol === 'http' || (request.protocol === 'https' && terminatesTls);
  if (!httpAfterTermination) throw new SimulationError('protocol', `${where} speaks HTTP, but it would receive ${request.protocol}${request.isTls && !terminatesTls ? ' it does not decrypt' : ''}`);
}

/** Simulates one request against the resources a proxy holds. */
export function simulate(resources: XdsResources, input: SimulatedRequest): SimulationResult {
  const view = indexResources(resources);
  const request = normalizeRequest(input);
  const listener = matchListener(view.listeners, request);
  const listenerName = text(listener['name']) ?? '';
  const matched = matchFilterChain(listener, request, request.address);
  const hcm = networkFilter(matched.chain, HCM_TYPE);
  const tcpProxy = hcm ? undefined : networkFilter(matched.chain, TCP_PROXY_TYPE);
  if (!hcm && !tcpProxy) {
    throw new SimulationError('filter chain', `listener ${listenerName} chain ${matched.name ?? `#${matched.index}`} has neither an HTTP connection manager nor a TCP proxy`);
  }
  checkProtocol(request, matched, hcm !== undefined, listenerName);
  const http = hcm ? simulateHttp(view, hcm, request, listenerName) : undefined;
  const tcp = tcpProxy ? simulateTcp(tcpProxy) : undefined;
  const reached = new Set<string>();
  if (tcp) for (const t of tcp.targets) reached.add(t.cluster);
  if (http?.action.kind === 'forward') {
    for (const t of http.action.targets) reached.add(t.cluster);
    for (const m of http.action.mirrors) reached.add(m.cluster);
  }
  const clusters: Record<string, ClusterSummary> = {};
  for (const name of reached) clusters[name] = summarizeCluster(view, name);
  return {
    listener: listenerName,
    filterChain: { index: matched.index, name: matched.name, isDefault: matched.isDefault },
    terminatesTls: record(matched.chain['transportSocket']) !== undefined,
    downstreamTls: downstreamTlsOf(matched.chain),
    http,
    tcp,
    clusters,
  };
}

/**
 * The cluster a request goes to, as Envoy would use it: discovery type,
 * load-balancing policy (Envoy's default is ROUND_ROBIN), the DEFAULT
 * priority's circuit breaker thresholds, outlier detection, upstream TLS,
 * the per-connection request limit and its endpoints (from EDS, or the
 * inline load assignment of a STATIC or DNS cluster).
 */
import { SimulationError } from './simulation-error.js';
import { durationMs, numeric, record, records, structStrings, text, typeOf, type Json, type XdsView } from './xds-view.js';

/**
 * none: plain text. tls: TLS with the cluster's own certificates.
 * istio-mutual: TLS with the workload certificate ("default" SDS secret).
 * auto-mtls: Istio's transport socket matches: mutual TLS to endpoints
 * labelled tlsMode=istio, plain text to the others.
 */
export type UpstreamTls = 'none' | 'tls' | 'istio-mutual' | 'auto-mtls';

export interface CircuitBreakerThresholds {
  readonly maxConnections: number | undefined;
  readonly maxPendingRequests: number | undefined;
  readonly maxRequests: number | undefined;
  readonly maxRetries: number | undefined;
}

export interface OutlierDetection {
  readonly consecutive5xx: number | undefined;
  readonly consecutiveGatewayFailure: number | undefined;
  readonly intervalMs: number | undefined;
  readonly baseEjectionTimeMs: number | undefined;
  readonly maxEjectionPercent: number | undefined;
  readonly enforcingConsecutive5xx: number | undefined;
  readonly enforcingConsecutiveGatewayFailure: number | undefined;
  readonly raw: Json;
}

export interface EndpointSummary {
  /** "ip:port". */
  readonly address: string;
  readonly healthStatus: string | undefined;
  readonly weight: number | undefined;
  readonly locality: Json | undefined;
  /**
   * How Envoy connects to this endpoint: the upstream TLS of the transport
   * socket it picks (with transport socket matches, the first whose match
   * the endpoint's envoy.transport_socket_match metadata satisfies; none
   * matching means the cluster's own transport socket).
   */
  readonly tls: UpstreamTls;
  /** The name of the transport socket match it picked; undefined when none did (or the cluster has none). */
  readonly transportSocketMatch: string | undefined;
}

export interface ClusterSummary {
  readonly name: string;
  readonly type: string;
  readonly lbPolicy: string;
  readonly lbConfig: Json | undefined;
  /** RING_HASH's minimum ring size (Envoy's default is 1024 when the config leaves it out). */
  readonly minimumRingSize: number | undefined;
  readonly circuitBreakers: CircuitBreakerThresholds | undefined;
  readonly outlierDetection: OutlierDetection | undefined;
  readonly tls: UpstreamTls;
  readonly sni: string | undefined;
  readonly maxRequestsPerConnection: number | undefined;
  readonly connectTimeoutMs: number | undefined;
  readonly endpoints: readonly EndpointSummary[];
}

const UPSTREAM_TLS_CONTEXT = 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
const ISTIO_WORKLOAD_SECRET = 'default';

function tlsOfSocket(socket: Json | undefined): { tls: UpstreamTls; sni: string | undefined } {
  const config = record(socket?.['typedConfig']);
  if (!socket || typeOf(config) !== UPSTREAM_TLS_CONTEXT || !config) return { tls: 'none', sni: undefined };
  const common = record(config['commonTlsContext']);
  const secrets = records(common?.['tlsCertificateSdsSecretConfigs']).map((s) => text(s['name']));
  return { tls: secrets.includes(ISTIO_WORKLOAD_SECRET) ? 'istio-mutual' : 'tls', sni: text(config['sni']) };
}

function upstreamTls(cluster: Json): { tls: UpstreamTls; sni: string | undefined } {
  const direct = tlsOfSocket(record(cluster['transportSocket']));
  if (direct.tls !== 'none') return direct;
  for (const m of records(cluster['transportSocketMatches'])) {
    const socket = tlsOfSocket(record(m['transportSocket']));
    if (socket.tls === 'istio-mutual' && structStrings(m['match'])['tlsMode'] === 'istio') return { tls: 'auto-mtls', sni: socket.sni };
  }
  return direct;
}

const TRANSPORT_SOCKET_MATCH = 'envoy.transport_socket_match';

/** Envoy's transport socket selection for one endpoint (Cluster.transport_socket_matches). */
function endpointTransport(cluster: Json, lbEndpoint: Json): { tls: UpstreamTls; transportSocketMatch: string | undefined } {
  const metadata = structStrings(record(record(lbEndpoint['metadata'])?.['filterMetadata'])?.[TRANSPORT_SOCKET_MATCH]);
  for (const m of records(cluster['transportSocketMatches'])) {
    const wanted = Object.entries(structStrings(m['match']));
    if (wanted.every(([key, value]) => metadata[key] === value)) return { tls: tlsOfSocket(record(m['transportSocket'])).tls, transportSocketMatch: text(m['name']) };
  }
  return { tls: tlsOfSocket(record(cluster['transportSocket'])).tls, transportSocketMatch: undefined };
}

function thresholds(cluster: Json): CircuitBreakerThresholds | undefined {
  const all = records(record(cluster['circuitBreakers'])?.['thresholds']);
  const defaults = all.find((t) => (text(t['priority']) ?? 'DEFAULT') === 'DEFAULT');
  if (!defaults) return undefined;
  return {
    maxConnections: numeric(defaults['maxConnections']),
    maxPendingRequests: numeric(defaults['maxPendingRequests']),
    maxRequests: numeric(defaults['maxRequests']),
    maxRetries: numeric(defaults['maxRetries']),
  };
}

function outlierDetection(cluster: Json): OutlierDetection | undefined {
  const od = record(cluster['outlierDetection']);
  if (!od) return undefined;
  return {
    // protobufjs keeps "_5xx" (no letter follows the underscore): consecutive_5xx, not Envoy's JSON name consecutive5xx.
    consecutive5xx: numeric(od['consecutive_5xx']),
    consecutiveGatewayFailure: numeric(od['consecutiveGatewayFailure']),
    intervalMs: durationMs(od['interval']),
    baseEjectionTimeMs: durationMs(od['baseEjectionTime']),
    maxEjectionPercent: numeric(od['maxEjectionPercent']),
    enforcingConsecutive5xx: numeric(od['enforcingConsecutive_5xx']),
    enforcingConsecutiveGatewayFailure: numeric(od['enforcingConsecutiveGatewayFailure']),
    raw: od,
  };
}

function maxRequestsPerConnection(cluster: Json): number | undefined {
  for (const options of Object.values(record(cluster['typedExtensionProtocolOptions']) ?? {})) {
    const limit = numeric(record(record(options)?.['commonHttpProtocolOptions'])?.['maxRequestsPerConnection']);
    if (limit !== undefined) return limit;
  }
  return numeric(cluster['maxRequestsPerConnection']);
}

function endpointsOf(cluster: Json, assignment: Json | undefined): EndpointSummary[] {
  return records(assignment?.['endpoints']).flatMap((locality) =>
    records(locality['lbEndpoints']).map((lb) => {
      const socket = record(record(record(lb['endpoint'])?.['address'])?.['socketAddress']);
      return {
        address: `${text(socket?.['address']) ?? '?'}:${numeric(socket?.['portValue']) ?? '?'}`,
        healthStatus: text(lb['healthStatus']),
        weight: numeric(lb['loadBalancingWeight']),
        locality: record(locality['locality']),
        ...endpointTransport(cluster, lb),
      };
    }),
  );
}

export function summarizeCluster(view: XdsView, name: string): ClusterSummary {
  const cluster = view.clusters.get(name);
  if (!cluster) {
    const known = [...view.clusters.keys()].join(', ') || '(none)';
    throw new SimulationError('cluster', `the route targets cluster "${name}", which CDS does not have (Envoy answers 503 NC); CDS has: ${known}`);
  }
  const type = text(cluster['type']) ?? text(record(cluster['clusterType'])?.['name']) ?? 'STATIC';
  const edsName = text(record(cluster['edsClusterConfig'])?.['serviceName']) ?? name;
  const assignment = type === 'EDS' ? view.endpoints.get(edsName) : record(cluster['loadAssignment']);
  const lbConfig = record(cluster['ringHashLbConfig']) ?? record(cluster['maglevLbConfig']) ?? record(cluster['leastRequestLbConfig']) ?? record(cluster['roundRobinLbConfig']);
  return {
    name,
    type,
    lbPolicy: text(cluster['lbPolicy']) ?? 'ROUND_ROBIN',
    lbConfig,
    minimumRingSize: numeric(record(cluster['ringHashLbConfig'])?.['minimumRingSize']),
    circuitBreakers: thresholds(cluster),
    outlierDetection: outlierDetection(cluster),
    ...upstreamTls(cluster),
    maxRequestsPerConnection: maxRequestsPerConnection(cluster),
    connectTimeoutMs: durationMs(cluster['connectTimeout']),
    endpoints: endpointsOf(cluster, assignment),
  };
}


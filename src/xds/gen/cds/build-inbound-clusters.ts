/**
 * A sidecar's inbound clusters, towards its own workload (Istio's
 * buildInboundClusters and buildInboundPassthroughCluster): one
 * "inbound|<port>||" per inbound port, plus InboundPassthroughCluster for
 * ports no chain claims. With the mesh's default inbound policy
 * (PASSTHROUGH) a cluster forwards to the connection's original
 * destination, the pod IP; a Sidecar ingress defaultEndpoint names a fixed
 * address or Unix socket instead. Connections to the pod IP leave from
 * 127.0.0.6, which the iptables rules exempt from capture: without it they
 * would be redirected straight back into the sidecar.
 */
import type { ProxyNode } from '../../../model/proxy.js';
import type { ConnectionPoolSettings, MeshSnapshot } from '../../../model/types.js';
import { socketAddress } from '../common/socket-address.js';
import { inboundClusterName, INBOUND_PASSTHROUGH_CLUSTER } from '../lds/inbound-filter-chains.js';
import { inboundPortsOf, UNIX_PREFIX, type InboundEndpoint } from '../lds/inbound-ports.js';
import { connectTimeout, type MeshClusterDefaults } from './cluster-defaults.js';
import { finishCluster, useHttp2, type ClusterDraft } from './traffic-policy/cluster-draft.js';
import { applyConnectionPool } from './traffic-policy/connection-pool.js';

/** Istio's InboundPassthroughBindIpv4: the source address iptables does not capture. */
const PASSTHROUGH_BIND_IP = '127.0.0.6';

/** Istio's maxSecondsValue: original-destination hosts of an inbound cluster are never cleaned up. */
const NEVER_CLEAN_UP = { seconds: 9223372035 };

/** What one inbound cluster depends on; the key is a list of these. */
interface InboundClusterSpec {
  readonly port: number;
  readonly http2: boolean;
  readonly endpoint?: InboundEndpoint;
  readonly connectionPool?: ConnectionPoolSettings;
}

/**
 * The part of a proxy its inbound clusters depend on, as a key string: ""
 * for proxies that get none (gateways), else the clusters' specs, so
 * sidecars serving the same ports the same way share one entry.
 */
export function inboundClusterKey(proxy: ProxyNode, snapshot: MeshSnapshot): string {
  if (proxy.type !== 'sidecar') return '';
  const specs: InboundClusterSpec[] = inboundPortsOf(proxy, snapshot).map((p) => ({
    port: p.port,
    http2: p.protocol === 'HTTP2' || p.protocol === 'GRPC',
    ...(p.endpoint ? { endpoint: p.endpoint } : {}),
    ...(p.connectionPool ? { connectionPool: p.connectionPool } : {}),
  }));
  return JSON.stringify(specs);
}

function endpointAddress(endpoint: InboundEndpoint): Record<string, unknown> {
  if (endpoint.address.startsWith(UNIX_PREFIX)) return { pipe: { path: endpoint.address.slice(UNIX_PREFIX.length) } };
  return socketAddress(endpoint.address, endpoint.port);
}

function isLoopback(address: string): boolean {
  return address === '127.0.0.1' || address === '::1';
}

function passthroughBind(): Record<string, unknown> {
  // port_value 0 (any port) must be explicit: the port is a required oneof.
  return { sourceAddress: { address: PASSTHROUGH_BIND_IP, portValue: 0 } };
}

function buildInboundCluster(spec: InboundClusterSpec, mesh: MeshClusterDefaults): Record<string, unknown> {
  const name = inboundClusterName(spec.port);
  const cluster: Record<string, unknown> = { name, connectTimeout: connectTimeout(mesh) };
  const endpoint = spec.endpoint;
  if (endpoint) {
    cluster['type'] = 'STATIC';
    cluster['lbPolicy'] = 'ROUND_ROBIN';
    cluster['loadAssignment'] = { clusterName: name, endpoints: [{ lbEndpoints: [{ endpoint: { address: endpointAddress(endpoint) } }] }] };
    // Loopback and Unix sockets are never captured; the pod's own IP is.
    if (!isLoopback(endpoint.address) && !endpoint.address.startsWith(UNIX_PREFIX)) cluster['upstreamBindConfig'] = passthroughBind();
  } else {
    cluster['type'] = 'ORIGINAL_DST';
    cluster['lbPolicy'] = 'CLUSTER_PROVIDED';
    cluster['cleanupInterval'] = NEVER_CLEAN_UP;
    cluster['upstreamBindConfig'] = passthroughBind();
  }
  const draft: ClusterDraft = { cluster };
  if (spec.http2) useHttp2(draft);
  // Istio sizes the workload's side like a client's: its circuit breakers, or the Sidecar's pool for this port.
  applyConnectionPool(draft, spec.connectionPool ?? {}, undefined, mesh);
  return finishCluster(draft);
}

/** HTTP goes upstream in whichever version it arrived in (Istio's passthroughHttpProtocolOptions). */
function buildInboundPassthroughCluster(mesh: MeshClusterDefaults): Record<string, unknown> {
  const draft: ClusterDraft = {
    cluster: {
      name: INBOUND_PASSTHROUGH_CLUSTER,
      type: 'ORIGINAL_DST',
      connectTimeout: connectTimeout(mesh),
      lbPolicy: 'CLUSTER_PROVIDED',
      upstreamBindConfig: passthroughBind(),
    },
    http: { upstream: { kind: 'downstream' }, common: { idleTimeout: { seconds: 300 } } },
  };
  applyConnectionPool(draft, {}, undefined, mesh);
  return finishCluster(draft);
}

/** A key that is not this module's JSON (it always is) yields no clusters rather than an exception. */
function parseSpecs(inboundKey: string): InboundClusterSpec[] | undefined {
  try {
    const parsed: unknown = JSON.parse(inboundKey);
    return Array.isArray(parsed) ? (parsed as InboundClusterSpec[]) : undefined;
  } catch {
    return undefined;
  }
}

export function buildInboundClusters(snapshot: MeshSnapshot, inboundKey: string): Record<string, unknown>[] {
  if (inboundKey === '') return [];
  const specs = parseSpecs(inboundKey);
  if (!specs) return [];
  return [...specs.map((spec) => buildInboundCluster(spec, snapshot.mesh)), buildInboundPassthroughCluster(snapshot.mesh)];
}

/**
 * The two clusters a sidecar's catch-all paths point at: BlackHoleCluster
 * (a STATIC cluster with no hosts, so every request fails fast) and
 * PassthroughCluster (forwards to the connection's original destination).
 */
import { BLACKHOLE_CLUSTER, PASSTHROUGH_CLUSTER } from '../common/cluster-names.js';
import { HTTP_PROTOCOL_OPTIONS_KEY, HTTP_PROTOCOL_OPTIONS_TYPE } from '../common/type-names.js';
import { connectTimeout, type MeshClusterDefaults } from './cluster-defaults.js';
import { applyConnectionPool } from './traffic-policy/connection-pool.js';

export function buildBlackHoleCluster(mesh?: MeshClusterDefaults): Record<string, unknown> {
  return { name: BLACKHOLE_CLUSTER, type: 'STATIC', connectTimeout: connectTimeout(mesh), lbPolicy: 'ROUND_ROBIN' };
}

/**
 * As Istio's buildDefaultPassthroughCluster: the upstream speaks whatever
 * the client spoke, and the default circuit breakers lift Envoy's limits
 * (1024 connections) off all unknown egress.
 */
export function buildPassthroughCluster(mesh?: MeshClusterDefaults): Record<string, unknown> {
  const cluster: Record<string, unknown> = {
    name: PASSTHROUGH_CLUSTER,
    type: 'ORIGINAL_DST',
    connectTimeout: connectTimeout(mesh),
    lbPolicy: 'CLUSTER_PROVIDED',
    typedExtensionProtocolOptions: downstreamProtocolOptions(),
  };
  // Istio applies only the pool's thresholds and timeouts here: the HTTP options above stay as they are.
  applyConnectionPool({ cluster }, {}, undefined, mesh);
  return cluster;
}

function downstreamProtocolOptions(): Record<string, unknown> {
  return {
    [HTTP_PROTOCOL_OPTIONS_KEY]: {
      '@type': HTTP_PROTOCOL_OPTIONS_TYPE,
      useDownstreamProtocolConfig: { httpProtocolOptions: {}, http2ProtocolOptions: {} },
    },
  };
}

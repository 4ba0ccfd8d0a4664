/**
 * Clusters for proxyless gRPC: EDS only. gRPC NACKs a whole CDS response
 * over one cluster type it does not implement (STATIC, STRICT_DNS,
 * ORIGINAL_DST), so services that need those are not offered to it.
 *
 * Of a DestinationRule's traffic policy, only what gRPC clients implement
 * is sent (as Istio's grpcgen does): RING_HASH, outlier detection and the
 * max_requests circuit breaker (gRFC A32). LEAST_REQUEST and MAGLEV stay
 * ROUND_ROBIN: grpc-js and C-core NACK an lb_policy they do not know, and
 * one NACKed cluster rejects the whole response. TLS is left out: gRPC
 * reads certificate-provider instances from its bootstrap, not SDS.
 */
import type { MeshService, MeshSnapshot, TrafficPolicy } from '../../../model/types.js';
import { trafficPolicyForCluster } from '../common/cluster-traffic-policy.js';
import { edsClusterTargetsForService } from '../common/eds-cluster-targets.js';
import { connectTimeout, edsClusterConfig } from './cluster-defaults.js';
import { applyConsistentHash } from './traffic-policy/load-balancer.js';
import { buildOutlierDetection } from './traffic-policy/outlier-detection.js';

function applyGrpcPolicy(cluster: Record<string, unknown>, policy: TrafficPolicy | undefined): void {
  if (!policy) return;
  const hash = policy.loadBalancer?.consistentHash;
  if (hash && !hash.maglev) applyConsistentHash(cluster, policy.loadBalancer);
  if (policy.outlierDetection) cluster['outlierDetection'] = buildOutlierDetection(policy.outlierDetection);
  const maxRequests = policy.connectionPool?.http?.http2MaxRequests;
  if (maxRequests !== undefined && maxRequests > 0) cluster['circuitBreakers'] = { thresholds: [{ maxRequests: { value: maxRequests } }] };
}

export function buildProxylessClusters(snapshot: MeshSnapshot, proxyNamespace: string, service: MeshService): Record<string, unknown>[] {
  return edsClusterTargetsForService(snapshot, proxyNamespace, service).map((target) => {
    const cluster: Record<string, unknown> = {
      name: target.name,
      type: 'EDS',
      connectTimeout: connectTimeout(),
      lbPolicy: 'ROUND_ROBIN',
      edsClusterConfig: edsClusterConfig(target.name),
    };
    applyGrpcPolicy(cluster, trafficPolicyForCluster(snapshot, proxyNamespace, service.hostname, target.port.port, target.subset));
    return cluster;
  });
}

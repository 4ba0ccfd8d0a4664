/**
 * Clusters for proxyless gRPC: EDS only. gRPC NACKs a whole CDS response
 * over one cluster type it does not implement (STATIC, STRICT_DNS,
 * ORIGINAL_DST), so services that need those are not offered to it.
 *
 * Of a DestinationRule's traffic policy, only what gRPC clients implement
 * is sent (as Istio's grpcgen does): RING_HASH, outlier detection and the
 * max_requests circuit breaker (gRFC A32). LEAST_REQUEST and MAGLEV stay
 * ROUND_ROBIN: grpc-js and C-core NACK an lb_policy they do not know, and
 * one NACKed cluster rejects the whole response.
 *
 * TLS only for ISTIO_MUTUAL, through the certificate providers of gRPC's
 * bootstrap (never SDS), checking the server against the service's
 * identities; the rule's subjectAltNames and sni are not read, as in Istio.
 * grpc-js and C-core NACK such a cluster when their bootstrap lacks the
 * "default" provider; pilot-agent always writes it, and bootstraps written by
 * hand need it too.
 * SIMPLE and MUTUAL get no TLS context (Istio's grpcgen builds none for them either), and neither does
 * auto mTLS: Istio's grpcgen leaves it off because it cannot tell whether
 * the client uses xDS credentials or the server accepts its TLS, and the
 * transport_socket_matches auto mTLS needs is NACKed by grpc-go.
 */
import type { MeshService, MeshSnapshot, TrafficPolicy } from '../../../model/types.js';
import { trafficPolicyForCluster } from '../common/cluster-traffic-policy.js';
import { edsClusterTargetsForService } from '../common/eds-cluster-targets.js';
import { serviceIdentities } from '../common/service-identities.js';
import { proxylessMtlsTransportSocket } from '../proxyless/certificate-provider-tls.js';
import { connectTimeout, edsClusterConfig } from './cluster-defaults.js';
import { applyConsistentHash } from './traffic-policy/load-balancer.js';
import { buildOutlierDetection } from './traffic-policy/outlier-detection.js';

/** Istio's grpcgen order: TLS, load balancer, circuit breakers. */
function applyGrpcPolicy(cluster: Record<string, unknown>, policy: TrafficPolicy | undefined, identities: () => readonly string[]): void {
  if (!policy) return;
  if (policy.tls?.mode === 'ISTIO_MUTUAL') cluster['transportSocket'] = proxylessMtlsTransportSocket(identities());
  const hash = policy.loadBalancer?.consistentHash;
  if (hash && !hash.maglev) applyConsistentHash(cluster, policy.loadBalancer);
  if (policy.outlierDetection) cluster['outlierDetection'] = buildOutlierDetection(policy.outlierDetection);
  const maxRequests = policy.connectionPool?.http?.http2MaxRequests;
  if (maxRequests !== undefined && maxRequests > 0) cluster['circuitBreakers'] = { thresholds: [{ maxRequests: { value: maxRequests } }] };
}

export function buildProxylessClusters(snapshot: MeshSnapshot, proxyNamespace: string, service: MeshService): Record<string, unknown>[] {
  let identities: readonly string[] | undefined;
  const serverIdentities = (): readonly string[] => (identities ??= serviceIdentities(snapshot, service));
  return edsClusterTargetsForService(snapshot, proxyNamespace, service).map((target) => {
    const cluster: Record<string, unknown> = {
      name: target.name,
      type: 'EDS',
      connectTimeout: connectTimeout(snapshot.mesh),
      lbPolicy: 'ROUND_ROBIN',
      edsClusterConfig: edsClusterConfig(target.name),
    };
    applyGrpcPolicy(cluster, trafficPolicyForCluster(snapshot, proxyNamespace, service.hostname, target.port.port, target.subset), serverIdentities);
    return cluster;
  });
}

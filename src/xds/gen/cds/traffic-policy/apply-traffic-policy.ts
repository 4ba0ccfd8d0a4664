/**
 * Applies a resolved TrafficPolicy to an outbound Envoy cluster in Istio's
 * order (ClusterBuilder.applyTrafficPolicy): HTTP/2 upgrade, connection
 * pool, outlier detection, load balancer, TLS. It runs for every outbound
 * cluster, with no policy too, because Istio's defaults (circuit breakers,
 * LEAST_REQUEST) come from it.
 */
import type { TrafficPolicy } from '../../../../model/types.js';
import { usesLocalityWeights } from '../../common/locality-lb-setting.js';
import { edsClusterConfig } from '../cluster-defaults.js';
import { httpOptions, isHttp2Cluster, useHttp2, type ClusterDraft } from './cluster-draft.js';
import { applyConnectionPool, shouldH2Upgrade } from './connection-pool.js';
import { applyLoadBalancer } from './load-balancer.js';
import { buildOutlierDetection, panicThresholdFor } from './outlier-detection.js';
import { buildUpstreamTls } from './upstream-tls.js';

export interface TlsContextInputs {
  readonly istioMtlsSni: string;
  readonly serviceIdentities: () => readonly string[];
  readonly mayReadCredentials: boolean;
}

export function applyTrafficPolicy(draft: ClusterDraft, policy: TrafficPolicy | undefined, tls: TlsContextInputs): void {
  const cluster = draft.cluster;
  const pool = policy?.connectionPool ?? {};
  if (shouldH2Upgrade(pool)) useHttp2(draft);
  applyConnectionPool(draft, pool, policy?.retryBudget);

  const commonLbConfig: Record<string, unknown> = {};
  if (policy?.outlierDetection) {
    cluster['outlierDetection'] = buildOutlierDetection(policy.outlierDetection);
    commonLbConfig['healthyPanicThreshold'] = panicThresholdFor(policy.outlierDetection);
  }
  if (usesLocalityWeights(policy)) commonLbConfig['localityWeightedLbConfig'] = {};
  cluster['commonLbConfig'] = commonLbConfig;
  applyLoadBalancer(cluster, policy?.loadBalancer);

  if (policy?.tls) {
    const built = buildUpstreamTls({
      tls: policy.tls,
      istioMtlsSni: tls.istioMtlsSni,
      serviceIdentities: policy.tls.mode === 'ISTIO_MUTUAL' && !policy.tls.subjectAltNames ? tls.serviceIdentities() : [],
      http2: isHttp2Cluster(draft),
      mayReadCredentials: tls.mayReadCredentials,
    });
    if (built) {
      cluster['transportSocket'] = built.transportSocket;
      if (built.upstreamHttp) httpOptions(draft).upstreamHttp = built.upstreamHttp;
    }
  }
  // PASSTHROUGH may have turned an EDS cluster into ORIGINAL_DST (Istio's maybeApplyEdsConfig).
  if (cluster['type'] === 'EDS') cluster['edsClusterConfig'] = edsClusterConfig(cluster['name'] as string);
  else delete cluster['edsClusterConfig'];
}

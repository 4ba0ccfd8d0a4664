/**
 * Applies a resolved TrafficPolicy to an outbound Envoy cluster in Istio's
 * order (ClusterBuilder.applyTrafficPolicy): HTTP/2 upgrade, connection
 * pool, outlier detection, load balancer, TLS: the rule's, else auto mTLS,
 * which must follow the load balancer because PASSTHROUGH makes the
 * cluster ORIGINAL_DST. It runs for every outbound cluster, with no policy
 * too, because Istio's defaults (circuit breakers, LEAST_REQUEST) come from
 * it.
 */
import type { TrafficPolicy } from '../../../../model/types.js';
import { usesLocalityWeights } from '../../common/locality-lb-setting.js';
import { edsClusterConfig, type MeshClusterDefaults } from '../cluster-defaults.js';
import { httpOptions, isHttp2Cluster, useHttp2, type ClusterDraft } from './cluster-draft.js';
import { applyConnectionPool, shouldH2Upgrade } from './connection-pool.js';
import { applyLoadBalancer } from './load-balancer.js';
import { buildOutlierDetection, panicThresholdFor } from './outlier-detection.js';
import { applyAutoMtls } from './auto-mtls.js';
import { buildUpstreamTls } from './upstream-tls.js';
import type { WorkloadSecretSource } from '../../common/sds-config.js';

export interface TlsContextInputs {
  readonly istioMtlsSni: string;
  readonly serviceIdentities: () => readonly string[];
  readonly mayReadCredentials: boolean;
  /** Where the client gets its own certificate (ISTIO_MUTUAL and auto mTLS). */
  readonly workloadSds: WorkloadSecretSource;
  /** Whether Istio would use mutual TLS on its own when the policy sets no tls (usesAutoMtls). */
  readonly autoMtls: boolean;
}

/** The mesh config's cluster defaults, and whether the cluster's port is declared HTTP (the mesh's h2UpgradePolicy needs that). */
export interface ClusterDefaultsInputs {
  readonly mesh: MeshClusterDefaults;
  readonly httpPort: boolean;
}

export function applyTrafficPolicy(draft: ClusterDraft, policy: TrafficPolicy | undefined, tls: TlsContextInputs, defaults?: ClusterDefaultsInputs): void {
  const cluster = draft.cluster;
  const pool = policy?.connectionPool ?? {};
  if (shouldH2Upgrade(pool, defaults?.mesh, defaults?.httpPort)) useHttp2(draft);
  applyConnectionPool(draft, pool, policy?.retryBudget, defaults?.mesh);

  const commonLbConfig: Record<string, unknown> = {};
  if (policy?.outlierDetection) {
    cluster['outlierDetection'] = buildOutlierDetection(policy.outlierDetection);
    commonLbConfig['healthyPanicThreshold'] = panicThresholdFor(policy.outlierDetection);
  }
  if (usesLocalityWeights(policy, defaults?.mesh.localityLbSetting)) commonLbConfig['localityWeightedLbConfig'] = {};
  cluster['commonLbConfig'] = commonLbConfig;
  applyLoadBalancer(cluster, policy?.loadBalancer);

  if (policy?.tls) {
    const built = buildUpstreamTls({
      tls: policy.tls,
      istioMtlsSni: tls.istioMtlsSni,
      serviceIdentities: policy.tls.mode === 'ISTIO_MUTUAL' && !policy.tls.subjectAltNames ? tls.serviceIdentities() : [],
      http2: isHttp2Cluster(draft),
      mayReadCredentials: tls.mayReadCredentials,
      workloadSds: tls.workloadSds,
      ...(defaults?.mesh.tlsDefaults ? { tlsDefaults: defaults.mesh.tlsDefaults } : {}),
    });
    if (built) {
      cluster['transportSocket'] = built.transportSocket;
      if (built.upstreamHttp) httpOptions(draft).upstreamHttp = built.upstreamHttp;
    }
  } else if (tls.autoMtls) {
    // Istio's auto-detected ISTIO_MUTUAL: the service's endpoints' identities, the cluster's own SNI.
    const built = buildUpstreamTls({
      tls: { mode: 'ISTIO_MUTUAL' },
      istioMtlsSni: tls.istioMtlsSni,
      serviceIdentities: tls.serviceIdentities(),
      http2: isHttp2Cluster(draft),
      mayReadCredentials: tls.mayReadCredentials,
      workloadSds: tls.workloadSds,
    });
    if (built) applyAutoMtls(cluster, built.transportSocket);
  }
  // PASSTHROUGH may have turned an EDS cluster into ORIGINAL_DST (Istio's maybeApplyEdsConfig).
  if (cluster['type'] === 'EDS') cluster['edsClusterConfig'] = edsClusterConfig(cluster['name'] as string);
  else delete cluster['edsClusterConfig'];
}

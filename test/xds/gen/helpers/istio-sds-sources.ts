/**
 * Istio's SDS config sources in Envoy's JSON names, written from Istio's
 * source, for tests to compare tsiod's TLS contexts against.
 */

/** defaultSDSConfig/rootSDSConfig (pkg/model/authentication.go): gRPC to the agent's "sds-grpc" cluster, no fetch deadline. */
export const ISTIO_AGENT_SDS_SOURCE = {
  apiConfigSource: {
    apiType: 'GRPC',
    setNodeOnFirstMessageOnly: true,
    transportApiVersion: 'V3',
    grpcServices: [{ envoyGrpc: { clusterName: 'sds-grpc' } }],
  },
  resourceApiVersion: 'V3',
  initialFetchTimeout: { seconds: 0 },
};

/** SDSAdsConfig (pilot/pkg/security/model/authentication.go): ADS, v3, deliberately no initial_fetch_timeout. */
export const ISTIO_SDS_ADS_CONFIG = { ads: {}, resourceApiVersion: 'V3' };

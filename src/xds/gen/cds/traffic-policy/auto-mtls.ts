/**
 * Auto mTLS on an outbound cluster (Istio's applyUpstreamTLSSettings for an
 * auto-detected ISTIO_MUTUAL): the cluster offers two transport sockets and
 * Envoy picks one per endpoint by its `envoy.transport_socket_match`
 * metadata, which EDS sets to {tlsMode: istio} for workloads with a
 * sidecar: "tlsMode-istio" is Istio mutual TLS, "tlsMode-disabled" (match
 * anything else) plain text. An ORIGINAL_DST cluster has no endpoint
 * metadata to match, so it gets the mTLS socket outright (the caller only
 * asks when every endpoint has a sidecar).
 */
import { RAW_BUFFER_TRANSPORT_SOCKET, RAW_BUFFER_TYPE } from '../../common/type-names.js';
import { stringStruct } from '../../common/wrapped-value.js';

/** Istio's model.IstioMutualTLSModeLabel and TLSModeLabelShortname. */
export const ISTIO_TLS_MODE = 'istio';
const TLS_MODE_KEY = 'tlsMode';

function rawBufferTransportSocket(): Record<string, unknown> {
  return { name: RAW_BUFFER_TRANSPORT_SOCKET, typedConfig: { '@type': RAW_BUFFER_TYPE } };
}

export function applyAutoMtls(cluster: Record<string, unknown>, mtlsTransportSocket: Record<string, unknown>): void {
  if (cluster['type'] === 'ORIGINAL_DST') {
    cluster['transportSocket'] = mtlsTransportSocket;
    return;
  }
  cluster['transportSocketMatches'] = [
    { name: `tlsMode-${ISTIO_TLS_MODE}`, match: stringStruct({ [TLS_MODE_KEY]: ISTIO_TLS_MODE }), transportSocket: mtlsTransportSocket },
    // An empty match matches every endpoint: those without tlsMode=istio reach this one.
    { name: 'tlsMode-disabled', match: {}, transportSocket: rawBufferTransportSocket() },
  ];
}

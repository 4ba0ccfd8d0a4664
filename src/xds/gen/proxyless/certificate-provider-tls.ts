/**
 * Mutual TLS for proxyless gRPC (gRFC A29), after Istio's grpcgen
 * (buildCommonTLSContext): gRPC takes no key material over xDS, only the
 * names of certificate-provider instances from its bootstrap, which
 * pilot-agent writes as a "file_watcher" instance named "default" over the
 * workload's cert-chain.pem, key.pem and root-cert.pem. "default" asks it
 * for the identity and "ROOTCA" for the trust bundle.
 *
 * Only the current fields go out (tls_certificate_provider_instance, and
 * ca_certificate_provider_instance with the SAN matchers in a plain
 * validation_context), which grpc-go, grpc-js and C-core all read. Istio
 * puts the roots in a combined_validation_context instead, beside the
 * deprecated CertificateProviderInstance fields 11 and 4 for clients too old
 * to know the current ones; but Envoy's validate rules require a combined
 * context to carry an SDS config, which gRPC rejects, so that form fails
 * tsiod's validation gate. validation_context is the other form gRFC A29
 * names, and the deprecated root field cannot sit beside it (field 12 is in
 * the same oneof), so clients that read only the deprecated fields are not
 * served.
 *
 * Nothing else may be set: grpc-go, grpc-js and C-core reject a cluster
 * whose CommonTlsContext has tls_params (so no TLS version bounds here, unlike
 * the Envoy context), tls_certificates, SDS configs or a custom handshaker.
 * No ALPN or SNI either: gRPC ignores them (it always offers h2), and Istio
 * sends none to proxyless clients.
 */
import { TLS_TRANSPORT_SOCKET, UPSTREAM_TLS_CONTEXT_TYPE } from '../common/type-names.js';

/** The certificate-provider instance pilot-agent's gRPC bootstrap declares. */
export const CERTIFICATE_PROVIDER_INSTANCE = 'default';
/** What the instance is asked for: the workload's own certificate and key... */
export const IDENTITY_CERTIFICATE_NAME = 'default';
/** ...and the roots that peers' certificates must chain to. */
export const ROOT_CERTIFICATE_NAME = 'ROOTCA';

function providerInstance(certificateName: string): Record<string, unknown> {
  return { instanceName: CERTIFICATE_PROVIDER_INSTANCE, certificateName };
}

/**
 * The CommonTlsContext of a proxyless client or server. `sans` are the
 * identities a peer's certificate must carry one of (exact matches); empty
 * means any certificate from the roots.
 */
export function certificateProviderTlsContext(sans: readonly string[]): Record<string, unknown> {
  return {
    tlsCertificateProviderInstance: providerInstance(IDENTITY_CERTIFICATE_NAME),
    validationContext: {
      ...(sans.length > 0 ? { matchSubjectAltNames: sans.map((exact) => ({ exact })) } : {}),
      caCertificateProviderInstance: providerInstance(ROOT_CERTIFICATE_NAME),
    },
  };
}

/**
 * A cluster's transport socket for ISTIO_MUTUAL to a service whose workloads
 * run as `serverIdentities` (spiffe:// URIs). The socket's name is the one
 * gRPC requires (grpc-go NACKs any other).
 */
export function proxylessMtlsTransportSocket(serverIdentities: readonly string[]): Record<string, unknown> {
  return {
    name: TLS_TRANSPORT_SOCKET,
    typedConfig: { '@type': UPSTREAM_TLS_CONTEXT_TYPE, commonTlsContext: certificateProviderTlsContext(serverIdentities) },
  };
}

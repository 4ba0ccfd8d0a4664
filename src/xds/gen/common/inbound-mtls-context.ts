/**
 * The DownstreamTlsContext a sidecar terminates Istio mutual TLS with
 * (Istio's authn utils.BuildInboundTLS and ApplyToCommonTLSContext): the
 * workload's own certificate ("default" over SDS), client certificates
 * required and verified against the trust bundle ("ROOTCA") combined with a
 * SPIFFE URI prefix per trust domain, TLS 1.2 to 1.3 with Istio's server
 * cipher suites. MeshConfig.meshMTLS may raise the minimum to TLS 1.3 and
 * replace the cipher suites (Istio's BuildInboundTLS and GetMinTLSVersion).
 *
 * The ALPN offered differs by chain: a TCP chain adds istio-peer-exchange
 * (metadata exchange, on by default in Istio); an HTTP chain offers only h2
 * and http/1.1. Neither offers "istio": clients send it to pick the mTLS
 * chain, and it must not win the negotiation of the application protocol.
 */
import { ROOT_CA_SECRET, WORKLOAD_CERT_SECRET, workloadSecretConfig, type WorkloadSecretSource } from './sds-config.js';
import { DOWNSTREAM_TLS_CONTEXT_TYPE, TLS_TRANSPORT_SOCKET } from './type-names.js';
import type { MeshTlsSettings } from '../../../model/types.js';
import { envoyTlsProtocol } from './tls-protocol.js';

/** Istio's authn SupportedCiphers: its server-side default when MeshConfig.meshMTLS names none. */
export const ISTIO_SERVER_CIPHER_SUITES: readonly string[] = Object.freeze([
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
  'AES128-GCM-SHA256',
]);

/** Istio's ALPNDownstreamWithMxc (TCP chains) and ALPNHttp (HTTP chains). */
export const INBOUND_TCP_ALPN: readonly string[] = Object.freeze(['istio-peer-exchange', 'h2', 'http/1.1']);
export const INBOUND_HTTP_ALPN: readonly string[] = Object.freeze(['h2', 'http/1.1']);

export type InboundChainProtocol = 'HTTP' | 'TCP';

/** spiffe.URIPrefix + trust domain + "/": a certificate from any workload of these trust domains is accepted. */
export function spiffeTrustDomainPrefixes(trustDomains: readonly string[]): string[] {
  return [...new Set(trustDomains.filter((d) => d !== ''))].map((domain) => `spiffe://${domain}/`);
}

export function inboundMtlsTransportSocket(
  protocol: InboundChainProtocol,
  trustDomains: readonly string[],
  workloadSds: WorkloadSecretSource,
  meshMtls?: MeshTlsSettings,
): Record<string, unknown> {
  return {
    name: TLS_TRANSPORT_SOCKET,
    typedConfig: {
      '@type': DOWNSTREAM_TLS_CONTEXT_TYPE,
      commonTlsContext: {
        tlsParams: {
          tlsMinimumProtocolVersion: envoyTlsProtocol(meshMtls?.minProtocolVersion) ?? 'TLSv1_2',
          tlsMaximumProtocolVersion: 'TLSv1_3',
          cipherSuites: [...(meshMtls?.cipherSuites ?? ISTIO_SERVER_CIPHER_SUITES)],
        },
        tlsCertificateSdsSecretConfigs: [workloadSecretConfig(WORKLOAD_CERT_SECRET, workloadSds)],
        combinedValidationContext: {
          defaultValidationContext: { matchSubjectAltNames: spiffeTrustDomainPrefixes(trustDomains).map((prefix) => ({ prefix })) },
          validationContextSdsSecretConfig: workloadSecretConfig(ROOT_CA_SECRET, workloadSds),
        },
        alpnProtocols: [...(protocol === 'TCP' ? INBOUND_TCP_ALPN : INBOUND_HTTP_ALPN)],
      },
      requireClientCertificate: { value: true },
    },
  };
}

/**
 * The DownstreamTlsContext of a gateway server that terminates TLS, as
 * Istio's BuildListenerTLSContext builds it (pilot/pkg/networking/core/listener.go
 * and pilot/pkg/security/model/authentication.go): certificates over SDS
 * from the server's credentialName Secret (ISTIO_MUTUAL: the workload's own
 * certificate and the mesh root), client validation for the mutual modes,
 * and the server's TLS parameters for SIMPLE and the MUTUAL modes.
 *
 * Istio also accepts file paths (serverCertificate/privateKey) that its
 * node agent serves; tsiod serves SDS itself and cannot read the gateway
 * pod's files, so a server naming only files gets no filter chain: a secret
 * that never arrives would keep the whole listener from warming.
 */
import {
  credentialCaSecretName,
  credentialSecretConfig,
  credentialSecretName,
  ROOT_CA_SECRET,
  WORKLOAD_CERT_SECRET,
  workloadSecretConfig,
  type WorkloadSecretSource,
} from '../common/sds-config.js';
import { DOWNSTREAM_TLS_CONTEXT_TYPE, TLS_TRANSPORT_SOCKET } from '../common/type-names.js';
import { tlsModeOf, type ServerTls } from './gateway-server.js';
import type { MeshTlsSettings } from '../../../model/types.js';
import { envoyTlsProtocol } from '../common/tls-protocol.js';

/** Istio's util.ALPNHttp, and the Istio mTLS ALPNs it offers on TCP servers terminating ISTIO_MUTUAL. */
const ALPN_HTTP: readonly string[] = ['h2', 'http/1.1'];
const ALPN_ISTIO_MTLS: readonly string[] = ['istio-peer-exchange', 'istio'];

function exactMatches(names: readonly string[] | undefined): Record<string, unknown>[] {
  return (names ?? []).map((exact) => ({ exact }));
}

function credentialNamesOf(tls: ServerTls): string[] {
  if (tls.credentialNames && tls.credentialNames.length > 0) return [...tls.credentialNames];
  return tls.credentialName ? [tls.credentialName] : [];
}

/**
 * Istio's applyDownstreamTLSDefaults (MeshConfig.tlsDefaults), then
 * applyServerTLSSettings over it; undefined when neither sets anything.
 */
function tlsParams(tls: ServerTls, defaults: MeshTlsSettings | undefined): Record<string, unknown> | undefined {
  const params: Record<string, unknown> = {};
  if (defaults?.ecdhCurves && defaults.ecdhCurves.length > 0) params['ecdhCurves'] = [...defaults.ecdhCurves];
  if (defaults?.cipherSuites && defaults.cipherSuites.length > 0) params['cipherSuites'] = [...defaults.cipherSuites];
  const min = envoyTlsProtocol(tls.minProtocolVersion) ?? envoyTlsProtocol(defaults?.minProtocolVersion);
  if (min) params['tlsMinimumProtocolVersion'] = min;
  const max = envoyTlsProtocol(tls.maxProtocolVersion);
  if (max) params['tlsMaximumProtocolVersion'] = max;
  if (tls.cipherSuites && tls.cipherSuites.length > 0) params['cipherSuites'] = [...tls.cipherSuites];
  if (tls.ecdhCurves && tls.ecdhCurves.length > 0) params['ecdhCurves'] = [...tls.ecdhCurves];
  return Object.keys(params).length > 0 ? params : undefined;
}

/**
 * Undefined for a server this server cannot give certificates to (passthrough, or file-mounted certificates only).
 * `workloadSds`: where the gateway gets its own certificate, for ISTIO_MUTUAL.
 * `tlsDefaults`: MeshConfig.tlsDefaults, under the server's own settings (not for ISTIO_MUTUAL).
 */
export function buildGatewayTlsContext(
  tls: ServerTls,
  tcpServerTerminatingTls: boolean,
  workloadSds: WorkloadSecretSource,
  tlsDefaults?: MeshTlsSettings,
): Record<string, unknown> | undefined {
  const mode = tlsModeOf(tls);
  if (mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') return undefined;
  const requireClientCertificate = mode === 'MUTUAL' || mode === 'ISTIO_MUTUAL';
  const alpn = mode === 'ISTIO_MUTUAL' && tcpServerTerminatingTls ? ALPN_ISTIO_MTLS : ALPN_HTTP;
  const common: Record<string, unknown> = { alpnProtocols: [...alpn] };
  const credentials = credentialNamesOf(tls);
  if (mode === 'ISTIO_MUTUAL') {
    common['tlsCertificateSdsSecretConfigs'] = [workloadSecretConfig(WORKLOAD_CERT_SECRET, workloadSds)];
    const defaultValidationContext: Record<string, unknown> = {};
    if (tls.subjectAltNames && tls.subjectAltNames.length > 0) defaultValidationContext['matchSubjectAltNames'] = exactMatches(tls.subjectAltNames);
    common['combinedValidationContext'] = { defaultValidationContext, validationContextSdsSecretConfig: workloadSecretConfig(ROOT_CA_SECRET, workloadSds) };
  } else if (credentials.length > 0) {
    common['tlsCertificateSdsSecretConfigs'] = credentials.map((name) => credentialSecretConfig(credentialSecretName(name)));
    if (mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL') {
      // One CA validates clients whatever the number of certificates: the first credential's, unless named.
      const caName = tls.caCertCredentialName ? credentialSecretName(tls.caCertCredentialName) : credentialCaSecretName(credentials[0] as string);
      const defaultValidationContext: Record<string, unknown> = {};
      if (tls.subjectAltNames && tls.subjectAltNames.length > 0) defaultValidationContext['matchSubjectAltNames'] = exactMatches(tls.subjectAltNames);
      if (tls.verifyCertificateSpki && tls.verifyCertificateSpki.length > 0) defaultValidationContext['verifyCertificateSpki'] = [...tls.verifyCertificateSpki];
      if (tls.verifyCertificateHash && tls.verifyCertificateHash.length > 0) defaultValidationContext['verifyCertificateHash'] = [...tls.verifyCertificateHash];
      common['combinedValidationContext'] = { defaultValidationContext, validationContextSdsSecretConfig: credentialSecretConfig(caName) };
    } else if (tls.subjectAltNames && tls.subjectAltNames.length > 0) {
      common['validationContext'] = { matchSubjectAltNames: exactMatches(tls.subjectAltNames) };
    }
  } else {
    return undefined;
  }
  if (mode !== 'ISTIO_MUTUAL') {
    const params = tlsParams(tls, tlsDefaults);
    if (params) common['tlsParams'] = params;
  }
  return { commonTlsContext: common, requireClientCertificate: { value: requireClientCertificate } };
}

export function downstreamTlsTransportSocket(context: Record<string, unknown>): Record<string, unknown> {
  return { name: TLS_TRANSPORT_SOCKET, typedConfig: { '@type': DOWNSTREAM_TLS_CONTEXT_TYPE, ...context } };
}

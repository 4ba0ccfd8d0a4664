/**
 * DestinationRule tls → the cluster's UpstreamTlsContext (Istio's
 * buildUpstreamTLSSettings, buildUpstreamClusterTLSContext and
 * constructUpstreamTLS).
 *
 * Where Istio points Envoy at pilot-agent's file SDS ("file-cert:…",
 * "file-root:…"), tsiod names the files inline (tlsCertificates, trustedCa
 * filenames), which needs no agent, and SIMPLE without caCertificates
 * trusts the istio-proxy image's system bundle. Secrets named by
 * credentialName come over SDS from tsiod itself; the workload's own mesh
 * identity from wherever the proxy gets it (sds-config.ts).
 */
import type { ClientTLSSettings, MeshTlsSettings } from '../../../../model/types.js';
import {
  credentialCaSecretName,
  credentialSecretConfig,
  credentialSecretName,
  ROOT_CA_SECRET,
  WORKLOAD_CERT_SECRET,
  workloadSecretConfig,
  type WorkloadSecretSource,
} from '../../common/sds-config.js';
import { TLS_TRANSPORT_SOCKET, UPSTREAM_TLS_CONTEXT_TYPE } from '../../common/type-names.js';
import { unwrapValue } from '../../common/wrapped-value.js';

/** Where pilot-agent finds the system CA bundle first on the istio-proxy (Debian-based) image. */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** Istio's in-mesh ALPN with metadata exchange on (PILOT_DISABLE_MX_ALPN off). */
export const ISTIO_MUTUAL_ALPN = Object.freeze(['istio-peer-exchange', 'istio']);
export const ISTIO_MUTUAL_H2_ALPN = Object.freeze(['istio-peer-exchange', 'istio', 'h2']);
/** Istio's prefix for credentials read from ConfigMaps, which sidecars may use. */
const CONFIG_MAP_CREDENTIAL_PREFIX = 'configmap://';

export interface UpstreamTlsInput {
  readonly tls: ClientTLSSettings;
  /** Istio's SNI for ISTIO_MUTUAL: outbound_.<port>_.<subset>_.<host>. */
  readonly istioMtlsSni: string;
  /** spiffe:// identities of the service's workloads. */
  readonly serviceIdentities: readonly string[];
  readonly http2: boolean;
  /**
   * Whether the proxy may read credentialName Secrets. Istio refuses it to
   * sidecars (a DestinationRule would otherwise hand any namespace's Secret
   * to any workload) and drops the whole TLS context there.
   */
  readonly mayReadCredentials: boolean;
  /** Where the client gets its own certificate and the trust bundle, for ISTIO_MUTUAL. */
  readonly workloadSds: WorkloadSecretSource;
  /** MeshConfig.tlsDefaults, for SIMPLE and MUTUAL (never ISTIO_MUTUAL). */
  readonly tlsDefaults?: MeshTlsSettings;
}

export interface UpstreamTlsResult {
  readonly transportSocket: Record<string, unknown>;
  /** UpstreamHttpProtocolOptions for SIMPLE and MUTUAL: SNI and SAN checks from the request's host when the rule names none. */
  readonly upstreamHttp?: Record<string, unknown>;
}

function exactMatchers(names: readonly string[] | undefined): Record<string, unknown> {
  return names && names.length > 0 ? { matchSubjectAltNames: names.map((exact) => ({ exact })) } : {};
}

function commonTlsContext(): Record<string, unknown> {
  return { tlsParams: { tlsMinimumProtocolVersion: 'TLSv1_2', tlsMaximumProtocolVersion: 'TLSv1_3' } };
}

function transportSocket(context: Record<string, unknown>): Record<string, unknown> {
  return { name: TLS_TRANSPORT_SOCKET, typedConfig: { '@type': UPSTREAM_TLS_CONTEXT_TYPE, ...context } };
}

function istioMutual(input: UpstreamTlsInput): UpstreamTlsResult {
  const { tls } = input;
  const sans = tls.subjectAltNames ?? input.serviceIdentities;
  const common = {
    ...commonTlsContext(),
    tlsCertificateSdsSecretConfigs: [workloadSecretConfig(WORKLOAD_CERT_SECRET, input.workloadSds)],
    combinedValidationContext: {
      defaultValidationContext: exactMatchers(sans),
      validationContextSdsSecretConfig: workloadSecretConfig(ROOT_CA_SECRET, input.workloadSds),
    },
    alpnProtocols: [...(input.http2 ? ISTIO_MUTUAL_H2_ALPN : ISTIO_MUTUAL_ALPN)],
  };
  return { transportSocket: transportSocket({ commonTlsContext: common, sni: tls.sni || input.istioMtlsSni }) };
}

function credentialName(name: string): string {
  return name.startsWith(CONFIG_MAP_CREDENTIAL_PREFIX) ? name : credentialSecretName(name);
}

function fromCredential(tls: ClientTLSSettings, name: string, mutual: boolean): Record<string, unknown> {
  const common: Record<string, unknown> = commonTlsContext();
  if (mutual) common['tlsCertificateSdsSecretConfigs'] = [credentialSecretConfig(credentialName(name))];
  if (unwrapValue(tls.insecureSkipVerify) === true) return common;
  const caName = name.startsWith(CONFIG_MAP_CREDENTIAL_PREFIX) ? `${name}-cacert` : credentialCaSecretName(name);
  common['combinedValidationContext'] = {
    defaultValidationContext: exactMatchers(tls.subjectAltNames),
    validationContextSdsSecretConfig: credentialSecretConfig(caName),
  };
  return common;
}

function fromFiles(tls: ClientTLSSettings, mutual: boolean): Record<string, unknown> | undefined {
  const common: Record<string, unknown> = commonTlsContext();
  if (mutual) {
    // Validation demands both for MUTUAL without credentialName; Istio refuses the context otherwise.
    if (!tls.clientCertificate || !tls.privateKey) return undefined;
    common['tlsCertificates'] = [{ certificateChain: { filename: tls.clientCertificate }, privateKey: { filename: tls.privateKey } }];
  }
  if (unwrapValue(tls.insecureSkipVerify) === true) {
    common['validationContext'] = {};
    return common;
  }
  common['validationContext'] = {
    trustedCa: { filename: tls.caCertificates || SYSTEM_CA_BUNDLE },
    ...exactMatchers(tls.subjectAltNames),
    ...(tls.caCrl ? { crl: { filename: tls.caCrl } } : {}),
  };
  return common;
}

/** Istio's setAutoSniAndAutoSanValidation for a non-DFP cluster. */
function autoSniOptions(tls: ClientTLSSettings): Record<string, unknown> | undefined {
  const noSni = !tls.sni;
  const autoSan = noSni && (tls.subjectAltNames?.length ?? 0) === 0 && unwrapValue(tls.insecureSkipVerify) !== true;
  if (!noSni && !autoSan) return undefined;
  return { ...(noSni ? { autoSni: true } : {}), ...(autoSan ? { autoSanValidation: true } : {}) };
}

/**
 * MeshConfig.tlsDefaults on a SIMPLE/MUTUAL origination (Istio's
 * applyTLSDefaults): its ECDH curves and cipher suites. Not its minimum
 * version, which Istio applies to servers only.
 */
function applyTlsDefaults(common: Record<string, unknown>, defaults: MeshTlsSettings | undefined): void {
  if (!defaults) return;
  const params = common['tlsParams'] as Record<string, unknown>;
  if (defaults.ecdhCurves && defaults.ecdhCurves.length > 0) params['ecdhCurves'] = [...defaults.ecdhCurves];
  if (defaults.cipherSuites && defaults.cipherSuites.length > 0) params['cipherSuites'] = [...defaults.cipherSuites];
}

function originated(input: UpstreamTlsInput, mutual: boolean): UpstreamTlsResult | undefined {
  const { tls } = input;
  const name = tls.credentialName;
  if (name && !input.mayReadCredentials && !name.startsWith(CONFIG_MAP_CREDENTIAL_PREFIX)) return undefined;
  const common = name ? fromCredential(tls, name, mutual) : fromFiles(tls, mutual);
  if (!common) return undefined;
  applyTlsDefaults(common, input.tlsDefaults);
  if (input.http2) common['alpnProtocols'] = ['h2'];
  const upstreamHttp = autoSniOptions(tls);
  return {
    transportSocket: transportSocket({ commonTlsContext: common, ...(tls.sni ? { sni: tls.sni } : {}) }),
    ...(upstreamHttp ? { upstreamHttp } : {}),
  };
}

/** Undefined for DISABLE, and wherever Istio sends the cluster without TLS. */
export function buildUpstreamTls(input: UpstreamTlsInput): UpstreamTlsResult | undefined {
  switch (input.tls.mode) {
    case 'ISTIO_MUTUAL':
      return istioMutual(input);
    case 'SIMPLE':
      return originated(input, false);
    case 'MUTUAL':
      return originated(input, true);
    default:
      return undefined;
  }
}

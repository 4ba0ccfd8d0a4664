/**
 * How a TLS context names a secret over SDS, as Istio's
 * ConstructSdsSecretConfig (pkg/model/authentication.go) and
 * ConstructSdsSecretConfigForCredential (pilot/pkg/security/model) do.
 * Names follow Istio: "default" (the workload's own key and chain),
 * "ROOTCA" (the trust bundle), "kubernetes://<name>" and
 * "kubernetes://<name>-cacert" for credentialName Secrets.
 *
 * The workload's own secrets come from wherever the proxy's Envoy gets
 * them (ProxyNode.workloadSds): behind pilot-agent, its local "sds-grpc"
 * cluster, exactly as Istio configures it; an Envoy on its own, this server
 * over ADS. Envoy waits for them without a deadline (initial_fetch_timeout
 * 0s), as Istio's listeners do: a listener that warmed without its
 * certificate would fail every handshake; except where they can never come
 * (WorkloadSecretSource). credentialName Secrets always come over ADS, with
 * Envoy's default timeout, because they may name a Secret that does not
 * exist and must not hold up the rest.
 */
import type { ProxyNode } from '../../../model/proxy.js';
import { adsConfigSource } from './config-source.js';
import { secondsDuration } from './duration.js';

export const WORKLOAD_CERT_SECRET = 'default';
export const ROOT_CA_SECRET = 'ROOTCA';
export type WorkloadSecretName = typeof WORKLOAD_CERT_SECRET | typeof ROOT_CA_SECRET;
/** Istio's SDSClusterName: the cluster pilot-agent's Envoy bootstrap defines for its SDS server. */
export const SDS_GRPC_CLUSTER = 'sds-grpc';
const CREDENTIAL_PREFIX = 'kubernetes://';
/** Istio's suffix for the CA half of a credentialName Secret (MUTUAL TLS). */
export const CA_CERT_SUFFIX = '-cacert';

/** Istio's defaultSDSConfig/rootSDSConfig source: a gRPC SDS stream to the local cluster sds-grpc. */
function sdsGrpcConfigSource(): Record<string, unknown> {
  return {
    apiConfigSource: {
      apiType: 'GRPC',
      setNodeOnFirstMessageOnly: true,
      transportApiVersion: 'V3',
      grpcServices: [{ envoyGrpc: { clusterName: SDS_GRPC_CLUSTER } }],
    },
    resourceApiVersion: 'V3',
    initialFetchTimeout: secondsDuration(0),
  };
}

/**
 * How a proxy's TLS contexts name "default" and "ROOTCA"; a value of the
 * generator keys whose output holds them.
 * - "sds-grpc": through pilot-agent, waiting for them.
 * - "ads": over an authenticated ADS stream, which this server serves them
 *   on; waiting for them.
 * - "ads-unauthenticated": over a stream this server serves no secrets on
 *   (plaintext xDS). Named over ADS all the same, but with Envoy's default
 *   fetch timeout: they will never come, and waiting for them would keep
 *   every listener and cluster naming them from warming, and Envoy from
 *   ever starting. After the timeout they warm without the secret, and
 *   mutual TLS through them fails closed at the handshake.
 */
export type WorkloadSecretSource = 'sds-grpc' | 'ads' | 'ads-unauthenticated';

export function workloadSecretSourceOf(proxy: ProxyNode): WorkloadSecretSource {
  if (proxy.workloadSds === 'sds-grpc') return 'sds-grpc';
  return proxy.verifiedIdentity ? 'ads' : 'ads-unauthenticated';
}

/** The SdsSecretConfig for "default" or "ROOTCA". */
export function workloadSecretConfig(name: WorkloadSecretName, source: WorkloadSecretSource): Record<string, unknown> {
  switch (source) {
    case 'sds-grpc':
      return { name, sdsConfig: sdsGrpcConfigSource() };
    case 'ads':
      return { name, sdsConfig: { ...adsConfigSource(), initialFetchTimeout: secondsDuration(0) } };
    case 'ads-unauthenticated':
      return { name, sdsConfig: adsConfigSource() };
  }
}

/** The SdsSecretConfig for a credentialName Secret (or a ConfigMap credential): over ADS, Istio's SDSAdsConfig. */
export function credentialSecretConfig(resourceName: string): Record<string, unknown> {
  return { name: resourceName, sdsConfig: adsConfigSource() };
}

/** The SDS name for a Secret named by a credentialName, resolved in the consumer's namespace. */
export function credentialSecretName(credentialName: string): string {
  return credentialName.startsWith(CREDENTIAL_PREFIX) ? credentialName : `${CREDENTIAL_PREFIX}${credentialName}`;
}

export function credentialCaSecretName(credentialName: string): string {
  return `${credentialSecretName(credentialName)}${CA_CERT_SUFFIX}`;
}

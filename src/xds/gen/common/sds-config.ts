/**
 * How a TLS context names a secret served by this server over SDS. tsiod
 * serves SDS itself (over the proxy's ADS stream), so every SDS secret
 * config points at ADS rather than at pilot-agent's local "sds-grpc" socket.
 * Names follow Istio: "default" (the workload's own key and chain),
 * "ROOTCA" (the trust bundle), "kubernetes://<name>" and
 * "kubernetes://<name>-cacert" for credentialName Secrets.
 */
import { adsConfigSource } from './config-source.js';

export const WORKLOAD_CERT_SECRET = 'default';
export const ROOT_CA_SECRET = 'ROOTCA';
const CREDENTIAL_PREFIX = 'kubernetes://';
/** Istio's suffix for the CA half of a credentialName Secret (MUTUAL TLS). */
export const CA_CERT_SUFFIX = '-cacert';

export function sdsSecretConfig(name: string): Record<string, unknown> {
  return { name, sdsConfig: adsConfigSource() };
}

/** The SDS name for a Secret named by a credentialName, resolved in the consumer's namespace. */
export function credentialSecretName(credentialName: string): string {
  return credentialName.startsWith(CREDENTIAL_PREFIX) ? credentialName : `${CREDENTIAL_PREFIX}${credentialName}`;
}

export function credentialCaSecretName(credentialName: string): string {
  return `${credentialSecretName(credentialName)}${CA_CERT_SUFFIX}`;
}

/**
 * Envoy Secret resources, PEM bytes inline: gateway credentials as Istio's
 * toEnvoyTLSSecret and toEnvoyCaSecret shape them, and the workload's own
 * "default" and "ROOTCA" as its agent's toEnvoySecret does (TlsCertificate
 * with certificate_chain and private_key; CertificateValidationContext with
 * trusted_ca).
 */
import type { CaBundle, TlsKeyPair } from '../../../model/types.js';
import type { WorkloadSecret } from './workload-secret-provider.js';

export function tlsCertificateSecret(name: string, pair: TlsKeyPair): Record<string, unknown> {
  const tlsCertificate: Record<string, unknown> = {
    certificateChain: { inlineBytes: pair.certificateChain },
    privateKey: { inlineBytes: pair.privateKey },
  };
  if (pair.ocspStaple) tlsCertificate['ocspStaple'] = { inlineBytes: pair.ocspStaple };
  return { name, tlsCertificate };
}

export function validationContextSecret(name: string, bundle: CaBundle): Record<string, unknown> {
  const validationContext: Record<string, unknown> = { trustedCa: { inlineBytes: bundle.trustedCa } };
  if (bundle.crl) validationContext['crl'] = { inlineBytes: bundle.crl };
  return { name, validationContext };
}

/** Bytes fields are base64 in protobufjs' object form (and so in the model's TlsKeyPair and CaBundle). */
const base64 = (text: string): string => Buffer.from(text).toString('base64');

export function workloadCertificateSecret(name: string, secret: WorkloadSecret): Record<string, unknown> {
  return tlsCertificateSecret(name, { certificateChain: base64(secret.certChainPem), privateKey: base64(secret.privateKeyPem) });
}

export function trustBundleSecret(name: string, rootsPem: readonly string[]): Record<string, unknown> {
  return validationContextSecret(name, { trustedCa: base64(concatPem(rootsPem)) });
}

/** Istio's concatCerts: PEM blocks one after another, each ending in a newline before the next. */
export function concatPem(blocks: readonly string[]): string {
  return blocks.map((b, i) => (i < blocks.length - 1 && !b.endsWith('\n') ? `${b}\n` : b)).join('');
}

/**
 * Envoy Secret resources from gateway credentials, as Istio's
 * toEnvoyTLSSecret and toEnvoyCaSecret shape them: PEM bytes inline.
 */
import type { CaBundle, TlsKeyPair } from '../../../model/types.js';

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

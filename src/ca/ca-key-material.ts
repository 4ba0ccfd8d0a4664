/**
 * What a CA signs with: the signing certificate and key, the intermediates up
 * to the root and the trust bundle. It comes from a self-signed root tsiod made,
 * or from an operator's plugged-in CA (Istio's `cacerts`).
 *
 * The key PEM is kept off the object's enumerable properties when built with
 * caKeyMaterial(), so that logging or serializing the material by mistake
 * shows no key.
 */

export interface CaKeyMaterial {
  /** Signs workload certs: the self-signed root or a plugged-in intermediate. */
  readonly signingCertPem: string;
  /** PKCS#8 PEM. Never logged, never in an error message. */
  readonly signingKeyPem: string;
  /** Between the signing cert and the root, nearest to the signing cert first (may be empty). */
  readonly intermediatesPem: readonly string[];
  /** The trust bundle, current root first. */
  readonly rootCertsPem: readonly string[];
  readonly source: 'self-signed' | 'plugged-in';
}

/** Builds key material whose key does not show in JSON.stringify, util.inspect or object spread. */
export function caKeyMaterial(m: CaKeyMaterial): CaKeyMaterial {
  const material = {
    signingCertPem: m.signingCertPem,
    intermediatesPem: Object.freeze([...m.intermediatesPem]),
    rootCertsPem: Object.freeze([...m.rootCertsPem]),
    source: m.source,
  };
  Object.defineProperty(material, 'signingKeyPem', { value: m.signingKeyPem, enumerable: false, writable: false });
  return Object.freeze(material) as CaKeyMaterial;
}

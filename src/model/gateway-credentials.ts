/**
 * Gateway TLS credentials from Kubernetes Secrets, keyed by namespace/name,
 * read as Istio's credentials controller reads them (pilot/pkg/credentials/kube:
 * ExtractCertInfo for the key pair, ExtractRoot for the CA). Certificates are
 * not checked here: istiod serves what the Secret holds and leaves rejection
 * to Envoy; the analyzer reports bad ones.
 *
 * The key material lives in private (#) fields, so JSON.stringify of a
 * snapshot, a debug dump or a log line holding this object shows no data.
 */
import type { ConfigObject } from '../config/config-object.js';
import { extractCertInfo, secretData } from '../config/kubernetes/credentials.js';
import type { CaBundle, GatewayCredentials, TlsKeyPair } from './types.js';

/** Istio's Secret keys for the CA half: generic first, then the kubernetes.io/tls ones. */
const CA_KEYS: readonly (readonly [cert: string, crl: string])[] = [
  ['cacert', 'crl'],
  ['ca.crt', 'ca.crl'],
];
const TLS_OCSP_STAPLE = 'tls.ocsp-staple';
const TLS_CERT = 'tls.crt';

interface SecretCredential {
  readonly keyPair?: TlsKeyPair;
  readonly caBundle?: CaBundle;
}

export class GatewayCredentialStore implements GatewayCredentials {
  readonly #bySecret: ReadonlyMap<string, SecretCredential>;

  constructor(bySecret: ReadonlyMap<string, SecretCredential>) {
    this.#bySecret = bySecret;
    Object.freeze(this);
  }

  keyPair(namespace: string, name: string): TlsKeyPair | undefined {
    return this.#bySecret.get(`${namespace}/${name}`)?.keyPair;
  }

  caBundle(namespace: string, name: string): CaBundle | undefined {
    return this.#bySecret.get(`${namespace}/${name}`)?.caBundle;
  }

  get size(): number {
    return this.#bySecret.size;
  }

  /** Equal credentials for equal Secret names: an unchanged Secret set keeps the previous store. */
  sameAs(other: GatewayCredentialStore): boolean {
    if (other.#bySecret.size !== this.#bySecret.size) return false;
    for (const [key, value] of this.#bySecret) {
      if (!sameCredential(value, other.#bySecret.get(key))) return false;
    }
    return true;
  }

  /** What a serialiser or a debug dump sees: how many, never what. */
  toJSON(): { readonly secrets: number } {
    return { secrets: this.#bySecret.size };
  }
}

export const EMPTY_GATEWAY_CREDENTIALS: GatewayCredentialStore = new GatewayCredentialStore(new Map());

/** The credentials of `secrets`; `previous` when they are the same, so an unrelated Secret edit changes nothing downstream. */
export function buildGatewayCredentials(secrets: Iterable<ConfigObject>, previous?: GatewayCredentials): GatewayCredentialStore {
  const bySecret = new Map<string, SecretCredential>();
  for (const secret of secrets) {
    const credential = credentialOf(secretData(secret));
    if (credential.keyPair || credential.caBundle) bySecret.set(`${secret.metadata.namespace}/${secret.metadata.name}`, credential);
  }
  const built = new GatewayCredentialStore(bySecret);
  return previous instanceof GatewayCredentialStore && previous.sameAs(built) ? previous : built;
}

function credentialOf(data: ReadonlyMap<string, Buffer>): SecretCredential {
  const extracted = extractCertInfo(data);
  let keyPair: TlsKeyPair | undefined;
  if (extracted.certInfo) {
    // Only a kubernetes.io/tls-style pair carries a staple (Istio reads it with tls.crt/tls.key alone).
    const staple = data.get(TLS_OCSP_STAPLE);
    const fromTlsKeys = data.get(TLS_CERT) === extracted.certInfo.cert;
    keyPair = Object.freeze({
      certificateChain: extracted.certInfo.cert.toString('base64'),
      privateKey: extracted.certInfo.key.toString('base64'),
      ...(fromTlsKeys && staple && staple.length > 0 ? { ocspStaple: staple.toString('base64') } : {}),
    });
  }
  let caBundle: CaBundle | undefined;
  for (const [certKey, crlKey] of CA_KEYS) {
    const ca = data.get(certKey);
    if (!ca || ca.length === 0) continue;
    const crl = data.get(crlKey);
    caBundle = Object.freeze({ trustedCa: ca.toString('base64'), ...(crl && crl.length > 0 ? { crl: crl.toString('base64') } : {}) });
    break;
  }
  return Object.freeze({ ...(keyPair ? { keyPair } : {}), ...(caBundle ? { caBundle } : {}) });
}

function sameCredential(a: SecretCredential, b: SecretCredential | undefined): boolean {
  if (!b) return false;
  const pair = (x?: TlsKeyPair, y?: TlsKeyPair): boolean =>
    x === y || (!!x && !!y && x.certificateChain === y.certificateChain && x.privateKey === y.privateKey && x.ocspStaple === y.ocspStaple);
  const ca = (x?: CaBundle, y?: CaBundle): boolean => x === y || (!!x && !!y && x.trustedCa === y.trustedCa && x.crl === y.crl);
  return pair(a.keyPair, b.keyPair) && ca(a.caBundle, b.caBundle);
}

/**
 * tsiod's certificate authority: Citadel's signing (istio security/pkg/pki/ca
 * IstioCA.Sign and util.GenCertFromCSR). It signs workload certificates for a
 * SPIFFE identity the caller proved (never one the CSR asks for), issues
 * server-side keys for Envoy (which cannot make a CSR) and the 15012 serving
 * certificate, and keeps the trust bundle through root rotation.
 *
 * Leaf profile, as Istio's: empty subject, a critical SubjectAltName, KeyUsage
 * digitalSignature+keyEncipherment, ExtKeyUsage serverAuth+clientAuth,
 * BasicConstraints cA:false, an authority key id, NotBefore two minutes back
 * for clock skew, NotAfter capped by the signing chain's expiry, a 128-bit serial.
 *
 * The signing key lives only as a non-extractable CryptoKey in a private
 * field: nothing on this object serializes or inspects to key material.
 */
import { webcrypto, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CaError, type CaErrorCode } from './ca-error.js';
import type { CaKeyMaterial } from './ca-key-material.js';
import { parseCertificationRequest } from './csr.js';
import { cryptoEngine, subtle } from './crypto-engine.js';
import { toPem } from './pem.js';
import { signCertificate } from './sign-certificate.js';
import { spiffeUri, type SpiffeIdentity } from './spiffe.js';
import { certificatesPem, validateKeyMaterial, type KeyMaterialSources } from './validate-key-material.js';
import {
  authorityKeyIdentifier,
  basicConstraints,
  certificateTime,
  existingSubjectKeyIdentifier,
  extKeyUsage,
  KeyUsageBit,
  keyIdentifier,
  keyUsage,
  OID,
  randomSerialNumber,
  subjectAltName,
} from './x509-extensions.js';
import type { SigningKey } from './signing-key.js';

export { CaError, type CaErrorCode };

export interface IssuedCertificate {
  /** Leaf first, root last; one PEM certificate per element. */
  readonly certChainPem: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Lower-case hex of the serial number's magnitude. */
  readonly serialHex: string;
}

export interface IssuedKeyAndCertificate extends IssuedCertificate {
  /** PKCS#8 PEM; never log. Not enumerable: JSON.stringify, util.inspect and object spread leave it out. */
  readonly privateKeyPem: string;
}

/** What SDS and the workload-certificate cache need from the CA (CertificateAuthority satisfies it). */
export interface WorkloadCertificateIssuer {
  issueWorkloadCertificate(identity: SpiffeIdentity, ttlSeconds?: number): Promise<IssuedKeyAndCertificate>;
  trustBundlePem(): readonly string[];
  onTrustBundleChange(listener: (bundle: readonly string[]) => void): () => void;
}

export interface CertificateAuthorityOptions {
  readonly trustDomain: string;
  /** Istio's DEFAULT_WORKLOAD_CERT_TTL: 24h. */
  readonly defaultTtlSeconds?: number;
  /** Istio's MAX_WORKLOAD_CERT_TTL: 90 days. */
  readonly maxTtlSeconds?: number;
  readonly now?: () => Date;
  /** Names the material's parts in validation errors (file paths, Secret keys). */
  readonly sources?: Partial<KeyMaterialSources>;
}

export const DEFAULT_WORKLOAD_CERT_TTL_SECONDS = 24 * 3600;
export const MAX_WORKLOAD_CERT_TTL_SECONDS = 90 * 24 * 3600;
/** util.ClockSkewGracePeriod: leaves are valid from two minutes before they are made. */
const CLOCK_SKEW_GRACE_MS = 2 * 60_000;
const LEAF_KEY_ALGORITHM: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };

/** One signing certificate with its key and the chain every leaf it signs is returned with. */
interface Signer {
  readonly issuerName: pkijs.RelativeDistinguishedNames;
  readonly keyId: Uint8Array;
  readonly key: SigningKey;
  /** The earliest expiry from the signing cert to the root: leaves are capped at it. */
  readonly notAfter: Date;
  /** The chain above a leaf: the signing cert (unless it is the root), intermediates, the root. */
  readonly chainPem: readonly string[];
  readonly anchorRootPem: string;
  readonly anchorRootNotAfter: Date;
  readonly rootsPem: readonly string[];
}

async function signerFrom(m: CaKeyMaterial, now: Date, sources?: Partial<KeyMaterialSources>): Promise<Signer> {
  const v = await validateKeyMaterial(m, { now, ...(sources !== undefined ? { sources } : {}) });
  const parsed = pkijs.Certificate.fromBER(new Uint8Array(v.signingCertDer));
  const isRoot = v.anchorRootDer.equals(v.signingCertDer);
  const anchorRootPem = toPem('CERTIFICATE', v.anchorRootDer);
  return {
    issuerName: parsed.subject,
    keyId: existingSubjectKeyIdentifier(parsed) ?? keyIdentifier(parsed.subjectPublicKeyInfo),
    key: v.signingKey,
    notAfter: v.pathNotAfter,
    chainPem: [...(isRoot ? [] : certificatesPem([v.signingCertDer])), ...certificatesPem(v.intermediatesDer), anchorRootPem],
    anchorRootPem,
    anchorRootNotAfter: new Date(new X509Certificate(v.anchorRootDer).validTo),
    rootsPem: certificatesPem(v.rootsDer),
  };
}

/**
 * The empty subject as DER `30 00`. pkijs encodes a Name without attributes
 * as one empty RDN (`30 02 31 00`), which RFC 5280 forbids (an RDN holds at
 * least one attribute) and BoringSSL, so Envoy and gRPC C-core, refuses.
 */
function emptyName(): pkijs.RelativeDistinguishedNames {
  const name = new pkijs.RelativeDistinguishedNames();
  name.valueBeforeDecode = new asn1js.Sequence().toBER(false);
  return name;
}

function floorToSecond(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

function withPrivateKey(issued: IssuedCertificate, privateKeyPem: string): IssuedKeyAndCertificate {
  const out = { ...issued };
  Object.defineProperty(out, 'privateKeyPem', { value: privateKeyPem, enumerable: false, writable: false });
  return Object.freeze(out) as IssuedKeyAndCertificate;
}

interface LeafRequest {
  readonly spki: pkijs.PublicKeyInfo;
  readonly uris?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly lifetimeSeconds: number;
}

export class CertificateAuthority implements WorkloadCertificateIssuer {
  readonly trustDomain: string;
  readonly #defaultTtlSeconds: number;
  readonly #maxTtlSeconds: number;
  readonly #now: () => Date;
  #signer: Signer;
  #introduced: Signer | undefined;
  #bundle: readonly string[];
  readonly #listeners = new Set<(bundle: readonly string[]) => void>();

  private constructor(signer: Signer, o: CertificateAuthorityOptions) {
    this.trustDomain = o.trustDomain;
    this.#defaultTtlSeconds = o.defaultTtlSeconds ?? DEFAULT_WORKLOAD_CERT_TTL_SECONDS;
    this.#maxTtlSeconds = o.maxTtlSeconds ?? MAX_WORKLOAD_CERT_TTL_SECONDS;
    this.#now = o.now ?? (() => new Date());
    this.#signer = signer;
    this.#introduced = undefined;
    this.#bundle = Object.freeze([...signer.rootsPem]);
  }

  /** Validates the material (throws InvalidCaMaterialError naming the part at fault) and makes a CA signing with it. */
  static async fromKeyMaterial(m: CaKeyMaterial, o: CertificateAuthorityOptions): Promise<CertificateAuthority> {
    if (o.trustDomain === '') throw new Error('a certificate authority needs a trust domain');
    for (const [what, value] of [
      ['defaultTtlSeconds', o.defaultTtlSeconds],
      ['maxTtlSeconds', o.maxTtlSeconds],
    ] as const) {
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new Error(`${what} must be a positive number of seconds, got ${value}`);
    }
    const now = (o.now ?? (() => new Date()))();
    return new CertificateAuthority(await signerFrom(m, now, o.sources), o);
  }

  /**
   * Signs a PEM PKCS#10 CSR for `identity`. The CSR proves possession of its
   * key; its subject and SANs are ignored (the identity comes from
   * authentication only, as in Istio's CreateCertificate).
   */
  async signCsr(csrPem: string, identity: SpiffeIdentity, ttlSeconds?: number): Promise<IssuedCertificate> {
    const uri = spiffeUri(identity);
    // The CSR is judged before the TTL, in istiod's order, so a bad CSR counts as one whatever TTL came with it.
    const csr = await parseCertificationRequest(csrPem);
    const lifetimeSeconds = this.#workloadLifetime(ttlSeconds);
    return this.#issue({ spki: csr.subjectPublicKeyInfo, uris: [uri], lifetimeSeconds });
  }

  /** Generates an ECDSA P-256 key here and certifies it for `identity` (SDS: Envoy cannot send a CSR). */
  async issueWorkloadCertificate(identity: SpiffeIdentity, ttlSeconds?: number): Promise<IssuedKeyAndCertificate> {
    const lifetimeSeconds = this.#workloadLifetime(ttlSeconds);
    const uri = spiffeUri(identity);
    return this.#issueWithNewKey({ uris: [uri], lifetimeSeconds });
  }

  /**
   * The CA API's own TLS certificate (istiod's DNS certificate, GenKeyCert):
   * the same leaf profile with DNS SANs. Not held to the workload maximum, as
   * istiod signs it without the lifetime check.
   */
  async issueServingCertificate(dnsNames: readonly string[], ttlSeconds?: number): Promise<IssuedKeyAndCertificate> {
    if (dnsNames.length === 0) throw new Error('a serving certificate needs at least one DNS name');
    for (const name of dnsNames) {
      if (!/^[A-Za-z0-9*]([A-Za-z0-9-.]*[A-Za-z0-9])?$/.test(name)) throw new Error(`invalid DNS name for a serving certificate: ${JSON.stringify(name)}`);
    }
    const lifetimeSeconds = ttlSeconds === undefined ? this.#defaultTtlSeconds : this.#checkedTtl(ttlSeconds);
    return this.#issueWithNewKey({ dnsNames, lifetimeSeconds });
  }

  /** The trust bundle: every root a peer must accept now (during a rotation, the new and the old). */
  trustBundlePem(): readonly string[] {
    return this.#bundle;
  }

  /** Called with the new bundle on every change; returns an unsubscribe function. */
  onTrustBundleChange(listener: (bundle: readonly string[]) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Expiry of the root the current signing certificate chains to (citadel_server_root_cert_expiry_timestamp). */
  rootCertExpiry(): Date {
    return this.#signer.anchorRootNotAfter;
  }

  /** Expiry of the current signing path (signing cert, intermediates, root, whichever ends first): no leaf outlives it. */
  signingCertExpiry(): Date {
    return this.#signer.notAfter;
  }

  /** The root every leaf signed now chains to (the last element of each issued chain). */
  signingRootPem(): string {
    return this.#signer.anchorRootPem;
  }

  /**
   * Root rotation, step 1: trust a new root (and its signing cert) alongside
   * the current one, still signing with the current one, so every peer learns
   * the new root before any leaf is signed by it.
   */
  async introduceRoot(m: CaKeyMaterial, sources?: Partial<KeyMaterialSources>): Promise<void> {
    const signer = await signerFrom(m, this.#now(), sources);
    this.#introduced = signer;
    this.#setBundle([...signer.rootsPem, ...this.#bundle]);
  }

  /** Root rotation, step 2: sign with the introduced root. The bundle keeps the old root until it is retired. */
  activateIntroducedRoot(): void {
    const introduced = this.#introduced;
    if (introduced === undefined) throw new Error('no root was introduced: call introduceRoot first');
    this.#signer = introduced;
    this.#introduced = undefined;
    // The active root leads the bundle ("current root first"). Listeners hear of it even when the bundle
    // is unchanged: the 15012 certificate and the root-expiry gauge follow the signing root.
    this.#setBundle([introduced.anchorRootPem, ...this.#bundle], true);
  }

  /**
   * Root rotation on every replica: becomes what the CA store holds (a step
   * another replica wrote, or one written before a restart). `active` signs
   * and its rootCertsPem is the whole bundle, in order; `introduced` is
   * trusted and ready for activateIntroducedRoot. Listeners hear of it when the
   * bundle or the signing root changes.
   */
  async adoptStoredState(active: CaKeyMaterial, introduced?: CaKeyMaterial, sources?: Partial<KeyMaterialSources>): Promise<void> {
    const now = this.#now();
    const signer = await signerFrom(active, now, sources);
    const next = introduced === undefined ? undefined : await signerFrom(introduced, now, sources);
    const signingChanged = signer.chainPem.join('') !== this.#signer.chainPem.join('');
    this.#signer = signer;
    this.#introduced = next;
    this.#setBundle([...signer.rootsPem, ...(next?.rootsPem ?? [])], signingChanged);
  }

  /**
   * The operator replaced the plugged-in CA (cacerts): sign with `m` from now
   * on and trust exactly its roots, as istiod's handleEvent swaps its
   * KeyCertBundle. Validated first: when `m` is unusable this throws and the
   * CA stays as it was. Listeners hear of it when the bundle or the signing
   * chain changes (ROOTCA, the 15012 certificate, root ConfigMaps, metrics).
   */
  async adoptPluggedIn(m: CaKeyMaterial, sources?: Partial<KeyMaterialSources>): Promise<void> {
    await this.adoptStoredState(m, undefined, sources);
  }

  /**
   * Root rotation, step 3: stop trusting an old root, once no leaf chaining to
   * it is in use. Returns whether the root was in the bundle. The root the CA
   * signs with (or is about to) cannot be retired.
   */
  retireRoot(rootPem: string): boolean {
    const retiring = toComparable(rootPem);
    if (retiring === undefined) throw new Error('retireRoot: no PEM CERTIFICATE given');
    for (const signer of [this.#signer, this.#introduced]) {
      if (signer !== undefined && toComparable(signer.anchorRootPem) === retiring) throw new Error('retireRoot: that root anchors a signing certificate in use; activate another root first');
    }
    const remaining = this.#bundle.filter((p) => toComparable(p) !== retiring);
    if (remaining.length === this.#bundle.length) return false;
    this.#setBundle(remaining);
    return true;
  }

  /** Sets the bundle and tells the listeners when it changed, or always when `signingRootChanged`. */
  #setBundle(roots: readonly string[], signingRootChanged = false): void {
    const seen = new Set<string>();
    const next = roots.filter((p) => {
      const key = toComparable(p) ?? p;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const unchanged = next.length === this.#bundle.length && next.every((p, i) => toComparable(p) === toComparable(this.#bundle[i] ?? ''));
    if (unchanged && !signingRootChanged) return;
    if (!unchanged) this.#bundle = Object.freeze(next);
    for (const listener of [...this.#listeners]) {
      try {
        listener(this.#bundle);
      } catch {
        // A listener's failure is its own (it logs it); the bundle change stands for the others.
      }
    }
  }

  #checkedTtl(ttlSeconds: number): number {
    if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
      throw new CaError('invalid-ttl', `requested TTL ${String(ttlSeconds)}s is not a positive number of seconds`);
    }
    return ttlSeconds;
  }

  /** Istio's sign(): default TTL when none is asked for, an error above the maximum. */
  #workloadLifetime(ttlSeconds: number | undefined): number {
    if (ttlSeconds === undefined) return this.#defaultTtlSeconds;
    const ttl = this.#checkedTtl(ttlSeconds);
    if (ttl > this.#maxTtlSeconds) throw new CaError('ttl-too-long', `requested TTL ${ttl}s is greater than the max allowed TTL ${this.#maxTtlSeconds}s`);
    return ttl;
  }

  async #issueWithNewKey(request: Omit<LeafRequest, 'spki'>): Promise<IssuedKeyAndCertificate> {
    const keys = (await subtle.generateKey(LEAF_KEY_ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const spki = new pkijs.PublicKeyInfo();
    await spki.importKey(keys.publicKey as unknown as CryptoKey, cryptoEngine);
    const issued = await this.#issue({ ...request, spki });
    const keyPem = toPem('PRIVATE KEY', await subtle.exportKey('pkcs8', keys.privateKey));
    return withPrivateKey(issued, keyPem);
  }

  async #issue(request: LeafRequest): Promise<IssuedCertificate> {
    // The signer in force when the request started signs it and supplies its chain, even if a rotation activates meanwhile.
    const signer = this.#signer;
    const now = this.#now();
    if (now.getTime() >= signer.notAfter.getTime()) throw new Error(`the signing certificate or its chain expired at ${signer.notAfter.toISOString()}`);
    const notBefore = floorToSecond(now.getTime() - CLOCK_SKEW_GRACE_MS);
    const notAfter = floorToSecond(Math.min(now.getTime() + request.lifetimeSeconds * 1000, signer.notAfter.getTime()));

    const cert = new pkijs.Certificate();
    cert.version = 2;
    cert.serialNumber = randomSerialNumber();
    cert.issuer = signer.issuerName;
    cert.subject = emptyName();
    cert.notBefore = certificateTime(notBefore);
    cert.notAfter = certificateTime(notAfter);
    cert.subjectPublicKeyInfo = request.spki;
    cert.extensions = [
      keyUsage([KeyUsageBit.digitalSignature, KeyUsageBit.keyEncipherment]),
      extKeyUsage([OID.serverAuth, OID.clientAuth]),
      basicConstraints(false),
      authorityKeyIdentifier(signer.keyId),
      subjectAltName({ ...(request.uris !== undefined ? { uris: request.uris } : {}), ...(request.dnsNames !== undefined ? { dnsNames: request.dnsNames } : {}) }, true),
    ];
    await signCertificate(cert, signer.key.key, signer.key.hash);
    const leafPem = toPem('CERTIFICATE', cert.toSchema(true).toBER(false));
    return Object.freeze({
      certChainPem: Object.freeze([leafPem, ...signer.chainPem]),
      notBefore,
      notAfter,
      serialHex: Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex').replace(/^(00)+(?=.)/, ''),
    });
  }
}

/** A certificate PEM reduced to its DER in base64, to compare PEM texts that differ only in layout. */
function toComparable(pem: string): string | undefined {
  try {
    return Buffer.from(new X509Certificate(pem).raw).toString('base64');
  } catch {
    return undefined;
  }
}

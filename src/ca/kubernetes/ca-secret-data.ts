/**
 * The CA Secrets' layout, as istiod reads and writes them, to and from
 * CaKeyMaterial.
 *
 * `istio-ca-secret` (type istio.io/ca-root) is istiod's self-signed root:
 * its BuildSecret writes ca-cert.pem = root-cert.pem = the root, ca-key.pem
 * = its key, and cert-chain.pem and key.pem empty; on load it reads only
 * ca-cert.pem and ca-key.pem (security/pkg/pki/ca/ca.go). Its rotator
 * rewrites ca-cert.pem and ca-key.pem alone, so ca-cert.pem is the current
 * root, and root-cert.pem may still hold an older one, which stays in the
 * trust bundle behind it (it anchors leaves signed before the rotation).
 * tsiod writes root-cert.pem as the whole bundle in the order it serves it,
 * and keeps a rotation in progress in keys of its own (root-rotation-record.ts):
 * the bundle read back is root-cert.pem's, in its order, with ca-cert.pem's
 * root in front only when root-cert.pem lacks it.
 *
 * `cacerts` is an operator's plugged-in CA, in istiod's file layout
 * (ca-cert.pem, ca-key.pem, cert-chain.pem, root-cert.pem) or as a
 * kubernetes.io/tls Secret (tls.crt, tls.key, ca.crt; tls.crt may carry the
 * chain after the signing cert) — pilot/pkg/bootstrap/istio_ca.go
 * detectSigningCABundleAndCRL. A Secret with some but not all of a layout's
 * keys is an error, as istiod's "incomplete signing CA bundle"; one with
 * none of them is no plugged-in CA.
 *
 * Errors name the Secret and the key; nothing read from a key is quoted.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { caKeyMaterial, type CaKeyMaterial } from '../ca-key-material.js';
import type { SelfSignedCaState } from '../ca-store.js';
import { pemCertificates, toPem } from '../pem.js';
import { checkSelfSignedState, decodeRootRotation, encodeRootRotation, NEXT_CA_CERT_FILE, NEXT_CA_KEY_FILE, ROOT_ROTATION_FILE } from '../root-rotation-record.js';
import { toPkcs8Pem } from '../signing-key.js';

export const ISTIO_CA_SECRET = 'istio-ca-secret';
export const CACERTS_SECRET = 'cacerts';
export const ISTIO_CA_SECRET_TYPE = 'istio.io/ca-root';

export const CA_CERT_KEY = 'ca-cert.pem';
export const CA_KEY_KEY = 'ca-key.pem';
export const CERT_CHAIN_KEY = 'cert-chain.pem';
export const ROOT_CERT_KEY = 'root-cert.pem';
export const PRIVATE_KEY_KEY = 'key.pem';
export const TLS_CERT_KEY = 'tls.crt';
export const TLS_KEY_KEY = 'tls.key';
export const TLS_ROOT_KEY = 'ca.crt';
/** tsiod's keys for a root rotation in progress (istiod ignores them). */
export const NEXT_CA_CERT_KEY = NEXT_CA_CERT_FILE;
export const NEXT_CA_KEY_KEY = NEXT_CA_KEY_FILE;
export const ROOT_ROTATION_KEY = ROOT_ROTATION_FILE;
const ROTATION_KEYS = [NEXT_CA_CERT_KEY, NEXT_CA_KEY_KEY, ROOT_ROTATION_KEY] as const;

/** A Secret's data decoded from base64: key → text. */
export type SecretText = Readonly<Record<string, string>>;

export class CaSecretError extends Error {
  override readonly name = 'CaSecretError';
}

/** Decodes a Secret's `data` (base64 values); `where` names the Secret in errors. */
export function decodeSecretData(data: unknown, where: string): SecretText {
  if (data === undefined || data === null) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new CaSecretError(`${where}: data is not a map of keys to base64 values`);
  const decoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string') throw new CaSecretError(`${where}: key ${key} is not a base64 string`);
    decoded[key] = Buffer.from(value, 'base64').toString('utf8');
  }
  return decoded;
}

/** The Secret's base64 `data` for a self-signed root, keys and empty values as istiod's BuildSecret writes them. */
export function selfSignedSecretData(m: CaKeyMaterial, where: string): Record<string, string> {
  if (m.source !== 'self-signed') throw new CaSecretError(`${where} holds a self-signed root; got ${m.source} key material`);
  if (m.intermediatesPem.length > 0) throw new CaSecretError(`${where} holds a self-signed root; got ${m.intermediatesPem.length} intermediates`);
  const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
  return {
    [CA_CERT_KEY]: base64(normalizePem(m.signingCertPem)),
    [CA_KEY_KEY]: base64(m.signingKeyPem),
    [ROOT_CERT_KEY]: base64(m.rootCertsPem.map(normalizePem).join('')),
    [CERT_CHAIN_KEY]: '',
    [PRIVATE_KEY_KEY]: '',
  };
}

/** istio-ca-secret's content as key material: ca-cert.pem is the root that signs, the trust bundle leads with it. */
export function selfSignedFromSecret(text: SecretText, where: string): CaKeyMaterial {
  const missing = [CA_CERT_KEY, CA_KEY_KEY].filter((key) => !text[key]?.trim());
  if (missing.length > 0) throw new CaSecretError(`${where} has no ${missing.join(' or ')}: a self-signed CA Secret needs ${CA_CERT_KEY} and ${CA_KEY_KEY}`);
  const caCerts = certificates(text, CA_CERT_KEY, where);
  const [signing] = caCerts;
  const signingKeyPem = matchingKey(text, CA_KEY_KEY, signing!, CA_CERT_KEY, where);
  const stored = text[ROOT_CERT_KEY]?.trim() ? certificates(text, ROOT_CERT_KEY, where) : [];
  const missingFromBundle = caCerts.filter((c) => !stored.some((s) => s.raw.equals(c.raw)));
  return caKeyMaterial({
    signingCertPem: toPem('CERTIFICATE', signing!.raw),
    signingKeyPem,
    intermediatesPem: [],
    rootCertsPem: distinct([...missingFromBundle, ...stored]).map((c) => toPem('CERTIFICATE', c.raw)),
    source: 'self-signed',
  });
}

/** istio-ca-secret's content with a rotation in progress, if any (see root-rotation-record.ts). */
export function selfSignedStateFromSecret(text: SecretText, where: string): SelfSignedCaState {
  const active = selfSignedFromSecret(text, where);
  const hasNext = Boolean(text[NEXT_CA_CERT_KEY]?.trim() || text[NEXT_CA_KEY_KEY]?.trim());
  let introduced: CaKeyMaterial | undefined;
  if (hasNext) {
    const missing = [NEXT_CA_CERT_KEY, NEXT_CA_KEY_KEY].filter((key) => !text[key]?.trim());
    if (missing.length > 0) throw new CaSecretError(`${where} has no ${missing.join(' or ')}: a root waiting for activation needs ${NEXT_CA_CERT_KEY} and ${NEXT_CA_KEY_KEY}`);
    const [next] = certificates(text, NEXT_CA_CERT_KEY, where);
    const nextPem = toPem('CERTIFICATE', next!.raw);
    introduced = caKeyMaterial({ signingCertPem: nextPem, signingKeyPem: matchingKey(text, NEXT_CA_KEY_KEY, next!, NEXT_CA_CERT_KEY, where), intermediatesPem: [], rootCertsPem: [nextPem], source: 'self-signed' });
  }
  const rotationText = text[ROOT_ROTATION_KEY]?.trim();
  const rotation = rotationText ? decodeRootRotation(rotationText, `${where} key ${ROOT_ROTATION_KEY}`) : undefined;
  const state: SelfSignedCaState = { active, ...(introduced ? { introduced } : {}), ...(rotation ? { rotation } : {}) };
  checkSelfSignedState(state, where);
  return state;
}

/**
 * The Secret's base64 `data` for a self-signed CA with its rotation state:
 * istiod's keys as selfSignedSecretData writes them, tsiod's rotation keys
 * when a rotation is in progress. Keys of `existing` that are neither are kept.
 */
export function selfSignedStateSecretData(state: SelfSignedCaState, where: string, existing: Readonly<Record<string, string>> = {}): Record<string, string> {
  checkSelfSignedState(state, where);
  const base64 = (value: string): string => Buffer.from(value, 'utf8').toString('base64');
  const data: Record<string, string> = { ...existing };
  for (const key of ROTATION_KEYS) delete data[key];
  Object.assign(data, selfSignedSecretData(state.active, where));
  if (state.introduced) {
    data[NEXT_CA_CERT_KEY] = base64(normalizePem(state.introduced.signingCertPem));
    data[NEXT_CA_KEY_KEY] = base64(state.introduced.signingKeyPem);
  }
  if (state.rotation) data[ROOT_ROTATION_KEY] = base64(encodeRootRotation(state.rotation));
  return data;
}

interface PluggedInLayout {
  readonly signingCert: string;
  readonly signingKey: string;
  readonly roots: string;
  /** Keys whose certificates, after the signing cert, lead to the root. */
  readonly chain: readonly string[];
}

const ISTIO_LAYOUT: PluggedInLayout = { signingCert: CA_CERT_KEY, signingKey: CA_KEY_KEY, roots: ROOT_CERT_KEY, chain: [CERT_CHAIN_KEY] };
const TLS_LAYOUT: PluggedInLayout = { signingCert: TLS_CERT_KEY, signingKey: TLS_KEY_KEY, roots: TLS_ROOT_KEY, chain: [TLS_CERT_KEY, TLS_ROOT_KEY] };

/** cacerts' content as key material, or undefined when it holds none of a plugged-in CA's keys. */
export function pluggedInFromSecret(text: SecretText, where: string): CaKeyMaterial | undefined {
  // istiod looks for tls.crt first: its presence alone selects the TLS layout.
  const layout = TLS_CERT_KEY in text ? TLS_LAYOUT : ISTIO_LAYOUT;
  const required = [...new Set([layout.signingCert, layout.signingKey, layout.roots, ...layout.chain])];
  const present = required.filter((key) => key in text);
  if (present.length === 0) return undefined;
  const missing = required.filter((key) => !(key in text));
  if (missing.length > 0) {
    throw new CaSecretError(
      `${where} is an incomplete plugged-in CA: it lacks ${missing.join(', ')} (needs ${ISTIO_LAYOUT_KEYS}, or ${TLS_LAYOUT_KEYS})`,
    );
  }
  for (const key of [layout.signingCert, layout.signingKey, layout.roots]) {
    if (!text[key]?.trim()) throw new CaSecretError(`${where}: ${key} is empty`);
  }

  const signingCerts = certificates(text, layout.signingCert, where);
  const signing = signingCerts[0]!;
  const signingKeyPem = matchingKey(text, layout.signingKey, signing, layout.signingCert, where);
  if (!signing.ca) throw new CaSecretError(`${where}: the certificate in ${layout.signingCert} is not a CA certificate (basicConstraints CA:TRUE), so it cannot sign`);
  const roots = distinct(certificates(text, layout.roots, where));
  // The chain files repeat the signing cert (tls.crt) and end in the root (ca.crt, usually cert-chain.pem): only what lies between is an intermediate.
  const chain = layout.chain.flatMap((key) => (text[key]?.trim() ? certificates(text, key, where) : []));
  const intermediates = distinct([...signingCerts.slice(1), ...chain]).filter(
    (c) => !c.raw.equals(signing.raw) && !roots.some((root) => root.raw.equals(c.raw)),
  );
  return caKeyMaterial({
    signingCertPem: toPem('CERTIFICATE', signing.raw),
    signingKeyPem,
    intermediatesPem: intermediates.map((c) => toPem('CERTIFICATE', c.raw)),
    rootCertsPem: roots.map((c) => toPem('CERTIFICATE', c.raw)),
    source: 'plugged-in',
  });
}

const ISTIO_LAYOUT_KEYS = [CA_CERT_KEY, CA_KEY_KEY, CERT_CHAIN_KEY, ROOT_CERT_KEY].join(', ');
const TLS_LAYOUT_KEYS = [TLS_CERT_KEY, TLS_KEY_KEY, TLS_ROOT_KEY].join(', ');

/** The certificates of one key, each parsed: at least one, or an error naming the key. */
function certificates(text: SecretText, key: string, where: string): X509Certificate[] {
  const ders = pemCertificates(text[key] ?? '');
  if (ders.length === 0) throw new CaSecretError(`${where}: ${key} holds no PEM certificate`);
  return ders.map((der, index) => {
    try {
      return new X509Certificate(der);
    } catch {
      throw new CaSecretError(`${where}: certificate ${index + 1} of ${ders.length} in ${key} cannot be parsed as X.509`);
    }
  });
}

/** The key of `keyName` as PKCS#8 PEM, checked to belong to `cert`. */
function matchingKey(text: SecretText, keyName: string, cert: X509Certificate, certName: string, where: string): string {
  const pkcs8 = toPkcs8Pem(text[keyName] ?? '', `${where} key ${keyName}`);
  if (!cert.checkPrivateKey(createPrivateKey(pkcs8))) throw new CaSecretError(`${where}: the private key in ${keyName} does not match the certificate in ${certName}`);
  return pkcs8;
}

function distinct(certs: readonly X509Certificate[]): X509Certificate[] {
  const seen: X509Certificate[] = [];
  for (const cert of certs) if (!seen.some((s) => s.raw.equals(cert.raw))) seen.push(cert);
  return seen;
}

function normalizePem(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

/**
 * Checks CA key material before tsiod signs with it, as istiod's
 * KeyCertBundle.Verify and NewPluggedCertIstioCAOptions do: the signing
 * certificate is a CA, is valid now, its key matches, and it chains through
 * the intermediates to a root in the trust bundle. The path found gives the
 * order of the chain returned with every leaf (leaf first, root last).
 *
 * Errors name the file or Secret key at fault (through `sources`), never key content.
 */
import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { CaKeyMaterial } from './ca-key-material.js';
import { pemCertificates, toPem } from './pem.js';
import { importSigningKey, type SigningKey } from './signing-key.js';
import { KeyUsageBit, OID } from './x509-extensions.js';

/** Where each part of the material came from, for error messages. */
export interface KeyMaterialSources {
  readonly signingCert: string;
  readonly signingKey: string;
  readonly intermediates: string;
  readonly roots: string;
}

export class InvalidCaMaterialError extends Error {
  override readonly name = 'InvalidCaMaterialError';
}

export interface ValidatedCaMaterial {
  readonly signingCertDer: Buffer;
  readonly signingKey: SigningKey;
  /** The path from the signing cert to the root, exclusive at both ends, in order. */
  readonly intermediatesDer: readonly Buffer[];
  /** The root the signing cert chains to (the signing cert itself when it is a root in the bundle). */
  readonly anchorRootDer: Buffer;
  /** Every root certificate of the bundle, deduplicated, in the given order. */
  readonly rootsDer: readonly Buffer[];
  /** The earliest expiry along the path, signing cert to root: no leaf may outlive it. */
  readonly pathNotAfter: Date;
}

const MAX_PATH_LENGTH = 8;

const DEFAULT_SOURCES: KeyMaterialSources = {
  signingCert: 'signing certificate',
  signingKey: 'signing key',
  intermediates: 'certificate chain',
  roots: 'root certificates',
};

function parseCertificate(der: Buffer, source: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    throw new InvalidCaMaterialError(`${source}: a CERTIFICATE block cannot be parsed as X.509`);
  }
}

function dedupe(ders: readonly Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const der of ders) if (!out.some((d) => d.equals(der))) out.push(der);
  return out;
}

function isValidAt(cert: X509Certificate, now: Date): boolean {
  return new Date(cert.validFrom).getTime() <= now.getTime() && now.getTime() <= new Date(cert.validTo).getTime();
}

/** KeyUsage, when present, must allow certificate signing (RFC 5280 4.2.1.3). */
function allowsCertSigning(der: Buffer, source: string): boolean {
  let cert: pkijs.Certificate;
  try {
    cert = pkijs.Certificate.fromBER(new Uint8Array(der));
  } catch {
    throw new InvalidCaMaterialError(`${source}: the certificate cannot be parsed`);
  }
  const ku = cert.extensions?.find((e) => e.extnID === OID.keyUsage)?.parsedValue as asn1js.BitString | undefined;
  if (!(ku instanceof asn1js.BitString)) return true;
  const bits = ku.valueBlock.valueHexView;
  return (((bits[KeyUsageBit.keyCertSign >> 3] ?? 0) >> (7 - (KeyUsageBit.keyCertSign & 7))) & 1) === 1;
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  return child.checkIssued(parent) && child.verify(parent.publicKey);
}

export async function validateKeyMaterial(m: CaKeyMaterial, o: { sources?: Partial<KeyMaterialSources>; now?: Date } = {}): Promise<ValidatedCaMaterial> {
  const sources = { ...DEFAULT_SOURCES, ...o.sources };
  const now = o.now ?? new Date();

  const signingCertDer = pemCertificates(m.signingCertPem)[0];
  if (signingCertDer === undefined) throw new InvalidCaMaterialError(`${sources.signingCert}: no PEM CERTIFICATE found`);
  const signingCert = parseCertificate(signingCertDer, sources.signingCert);
  if (!signingCert.ca) throw new InvalidCaMaterialError(`${sources.signingCert}: the certificate is not a CA (BasicConstraints cA is not true); it cannot sign other certificates`);
  if (!allowsCertSigning(signingCertDer, sources.signingCert)) throw new InvalidCaMaterialError(`${sources.signingCert}: the certificate's KeyUsage does not include keyCertSign`);
  if (!isValidAt(signingCert, now)) throw new InvalidCaMaterialError(`${sources.signingCert}: the certificate is not valid now (valid from ${signingCert.validFrom} to ${signingCert.validTo})`);

  let signingKey: SigningKey;
  try {
    signingKey = await importSigningKey(m.signingKeyPem, sources.signingKey);
  } catch (err) {
    throw new InvalidCaMaterialError(err instanceof Error ? err.message : `${sources.signingKey}: the key cannot be read`);
  }
  const certSpki = signingCert.publicKey.export({ type: 'spki', format: 'der' });
  if (!certSpki.equals(signingKey.publicKeySpkiDer)) throw new InvalidCaMaterialError(`${sources.signingKey}: the private key does not match the certificate in ${sources.signingCert}`);

  const rootsDer = dedupe(m.rootCertsPem.flatMap((p) => pemCertificates(p)));
  if (rootsDer.length === 0) throw new InvalidCaMaterialError(`${sources.roots}: no PEM CERTIFICATE found`);
  const roots = rootsDer.map((der) => ({ der, cert: parseCertificate(der, sources.roots) }));
  const pool = dedupe(m.intermediatesPem.flatMap((p) => pemCertificates(p)))
    .filter((der) => !der.equals(signingCertDer) && !rootsDer.some((r) => r.equals(der)))
    .map((der) => ({ der, cert: parseCertificate(der, sources.intermediates) }));

  const path: Buffer[] = [];
  let pathNotAfter = new Date(signingCert.validTo);
  const expiring = (cert: X509Certificate): void => {
    const notAfter = new Date(cert.validTo);
    if (notAfter < pathNotAfter) pathNotAfter = notAfter;
  };
  let current = { der: signingCertDer, cert: signingCert };
  for (;;) {
    const selfInBundle = roots.find((r) => r.der.equals(current.der));
    if (selfInBundle !== undefined) return { signingCertDer, signingKey, intermediatesDer: path, anchorRootDer: selfInBundle.der, rootsDer, pathNotAfter };
    const root = roots.find((r) => issuedBy(current.cert, r.cert));
    if (root !== undefined) {
      if (!isValidAt(root.cert, now)) throw new InvalidCaMaterialError(`${sources.roots}: the root certificate is not valid now (valid from ${root.cert.validFrom} to ${root.cert.validTo})`);
      expiring(root.cert);
      return { signingCertDer, signingKey, intermediatesDer: path, anchorRootDer: root.der, rootsDer, pathNotAfter };
    }
    const next = pool.find((c) => !path.some((p) => p.equals(c.der)) && issuedBy(current.cert, c.cert));
    if (next === undefined || path.length >= MAX_PATH_LENGTH) {
      throw new InvalidCaMaterialError(`${sources.signingCert}: the certificate does not chain to a root in ${sources.roots} (through ${sources.intermediates})`);
    }
    if (!isValidAt(next.cert, now)) throw new InvalidCaMaterialError(`${sources.intermediates}: an intermediate certificate is not valid now (valid from ${next.cert.validFrom} to ${next.cert.validTo})`);
    path.push(next.der);
    expiring(next.cert);
    current = next;
  }
}

/** PEM of a DER certificate list. */
export function certificatesPem(ders: readonly Buffer[]): string[] {
  return ders.map((der) => toPem('CERTIFICATE', der));
}

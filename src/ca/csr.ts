/**
 * Reading a PKCS#10 certificate signing request from a workload: PEM, DER,
 * a supported public key, and a self-signature that verifies (the proof the
 * caller holds the key). Only the public key is used afterwards; subject,
 * SANs and attributes are ignored.
 *
 * Every failure is a CaError ('invalid-csr' or 'csr-signature'), whatever the
 * input: the CA API turns it into a gRPC error and never crashes on it.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CaError } from './ca-error.js';
import { cryptoEngine } from './crypto-engine.js';
import { pemBlocks } from './pem.js';

const MAX_CSR_PEM_CHARS = 64 * 1024;
const CSR_LABELS = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
const MIN_RSA_BITS = 2048;
const EC_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/** Signature algorithms accepted on a CSR, by key type (Go's x509 accepts these; SHA-1 is refused as insecure). */
const SIGNATURE_ALGORITHMS: Readonly<Record<string, 'rsa' | 'ec'>> = {
  '1.2.840.113549.1.1.11': 'rsa', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'rsa', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13': 'rsa', // sha512WithRSAEncryption
  '1.2.840.113549.1.1.10': 'rsa', // RSASSA-PSS
  '1.2.840.10045.4.3.2': 'ec', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'ec', // ecdsa-with-SHA384
  '1.2.840.10045.4.3.4': 'ec', // ecdsa-with-SHA512
};

function invalid(message: string): CaError {
  return new CaError('invalid-csr', message);
}

function decode(csrPem: string): pkijs.CertificationRequest {
  if (typeof csrPem !== 'string' || csrPem.trim() === '') throw invalid('the CSR is empty');
  if (csrPem.length > MAX_CSR_PEM_CHARS) throw invalid(`the CSR is larger than ${MAX_CSR_PEM_CHARS} characters`);
  const block = pemBlocks(csrPem)[0];
  if (block === undefined) throw invalid('the CSR is not PEM encoded');
  if (!CSR_LABELS.has(block.label)) throw invalid(`the PEM block is "${block.label}", not "CERTIFICATE REQUEST"`);
  const der = new Uint8Array(block.der);
  let asn1: ReturnType<typeof asn1js.fromBER>;
  try {
    asn1 = asn1js.fromBER(der);
  } catch {
    // asn1js throws, rather than reporting an error offset, on some malformed primitives (e.g. times).
    throw invalid('the CSR is not valid DER');
  }
  if (asn1.offset === -1) throw invalid('the CSR is not valid DER');
  if (asn1.offset !== der.byteLength) throw invalid('the CSR has trailing data after its DER');
  try {
    return new pkijs.CertificationRequest({ schema: asn1.result });
  } catch {
    throw invalid('the CSR is not a PKCS#10 CertificationRequest');
  }
}

function publicKeyOf(csr: pkijs.CertificationRequest): KeyObject {
  let key: KeyObject;
  try {
    const spki = Buffer.from(csr.subjectPublicKeyInfo.toSchema().toBER(false));
    key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch {
    throw invalid('the CSR public key cannot be read');
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < MIN_RSA_BITS) throw invalid(`the CSR has an RSA key of ${details.modulusLength ?? 0} bits; at least ${MIN_RSA_BITS} are required`);
  } else if (key.asymmetricKeyType === 'ec') {
    if (!EC_CURVES.has(details.namedCurve ?? '')) throw invalid(`the CSR's EC curve ${details.namedCurve ?? '(unknown)'} is not supported (P-256, P-384, P-521 are)`);
  } else {
    throw invalid(`the CSR's ${key.asymmetricKeyType ?? 'unknown'} key is not supported (RSA and ECDSA are)`);
  }
  return key;
}

/** What the CA takes from a CSR once it is verified: only the public key. */
export interface VerifiedCsr {
  /** Re-encoded from the key Node read, so the certificate carries a canonical SubjectPublicKeyInfo. */
  readonly subjectPublicKeyInfo: pkijs.PublicKeyInfo;
}

/** The CSR, parsed and its signature verified; throws CaError otherwise. */
export async function parseCertificationRequest(csrPem: string): Promise<VerifiedCsr> {
  const csr = decode(csrPem);
  if (csr.version !== 0) throw invalid(`the CSR version is ${csr.version}; PKCS#10 defines only version 1 (0)`);
  const key = publicKeyOf(csr);
  const algorithm = csr.signatureAlgorithm.algorithmId;
  const keyTypeForAlgorithm = SIGNATURE_ALGORITHMS[algorithm];
  if (keyTypeForAlgorithm === undefined) throw invalid(`the CSR signature algorithm ${algorithm} is not supported`);
  if (keyTypeForAlgorithm !== key.asymmetricKeyType) throw new CaError('csr-signature', `the CSR signature algorithm ${algorithm} does not match its ${key.asymmetricKeyType ?? ''} key`);
  let verified: boolean;
  try {
    verified = await csr.verify(cryptoEngine);
  } catch {
    verified = false;
  }
  if (!verified) throw new CaError('csr-signature', 'the CSR signature does not verify with its public key');
  try {
    return { subjectPublicKeyInfo: pkijs.PublicKeyInfo.fromBER(key.export({ type: 'spki', format: 'der' })) };
  } catch {
    throw invalid('the CSR public key cannot be re-encoded');
  }
}

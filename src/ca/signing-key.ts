/**
 * Reading a CA's private key. Operators' keys come in every PEM flavour OpenSSL
 * writes (PKCS#8, PKCS#1 "RSA PRIVATE KEY", SEC1 "EC PRIVATE KEY"): Node's
 * KeyObject reads them all, and the key then goes into WebCrypto, which pkijs
 * signs with.
 *
 * Errors name where the key came from and what is wrong, never its content.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { subtle } from './crypto-engine.js';
import { toPem } from './pem.js';
import type { SignatureHash } from './sign-certificate.js';

export interface SigningKey {
  /** Non-extractable: the CA signs with it and nothing can read it back. */
  readonly key: CryptoKey;
  /** The digest pkijs signs with (Go's x509 picks the same per key type). */
  readonly hash: SignatureHash;
  /** DER SubjectPublicKeyInfo of the matching public key, to check it against a certificate. */
  readonly publicKeySpkiDer: Buffer;
}

export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

const CURVES: Readonly<Record<string, { namedCurve: string; hash: SigningKey['hash'] }>> = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
  secp521r1: { namedCurve: 'P-521', hash: 'SHA-512' },
};
const MIN_RSA_BITS = 2048;

function readKeyObject(keyPem: string, source: string): KeyObject {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyPem)) throw new SigningKeyError(`${source}: no PEM private key found`);
  if (/ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(keyPem)) throw new SigningKeyError(`${source}: the private key is encrypted; tsiod needs it unencrypted`);
  try {
    return createPrivateKey({ key: keyPem, format: 'pem' });
  } catch {
    // Node's message is generic, but say nothing of what was read either way.
    throw new SigningKeyError(`${source}: the private key PEM cannot be parsed`);
  }
}

/** Imports a PEM private key for signing; `source` names it in errors (a file path, a Secret key). */
export async function importSigningKey(keyPem: string, source: string): Promise<SigningKey> {
  const keyObject = readKeyObject(keyPem, source);
  const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
  const publicKeySpkiDer = createPublicKey(keyObject).export({ type: 'spki', format: 'der' });
  const details = keyObject.asymmetricKeyDetails ?? {};
  if (keyObject.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < MIN_RSA_BITS) throw new SigningKeyError(`${source}: RSA key of ${details.modulusLength ?? 0} bits; at least ${MIN_RSA_BITS} are required`);
    const key = await subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
    return { key: key as unknown as CryptoKey, hash: 'SHA-256', publicKeySpkiDer };
  }
  if (keyObject.asymmetricKeyType === 'ec') {
    const curve = CURVES[details.namedCurve ?? ''];
    if (curve === undefined) throw new SigningKeyError(`${source}: EC curve ${details.namedCurve ?? '(unknown)'} is not supported (P-256, P-384, P-521 are)`);
    const key = await subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: curve.namedCurve }, false, ['sign']);
    return { key: key as unknown as CryptoKey, hash: curve.hash, publicKeySpkiDer };
  }
  throw new SigningKeyError(`${source}: ${keyObject.asymmetricKeyType ?? 'unknown'} keys are not supported (RSA and ECDSA are)`);
}

/** The key re-encoded as PKCS#8 PEM, whatever PEM flavour it came in. */
export function toPkcs8Pem(keyPem: string, source: string): string {
  return toPem('PRIVATE KEY', readKeyObject(keyPem, source).export({ type: 'pkcs8', format: 'der' }));
}

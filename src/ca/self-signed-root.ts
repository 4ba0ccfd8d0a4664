/**
 * tsiod's own root CA, made when no CA is plugged in: what istiod's
 * self-signed Citadel makes (security/pkg/pki/util GenCertKeyFromOptions with
 * IsCA/IsSelfSigned): subject O=<trust domain>, ten years, a CA key usage, a
 * subject key identifier. RSA 2048 (RSASSA-PKCS1-v1_5, SHA-256) by default as
 * istiod does; ECDSA P-256 when asked.
 */
import type { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';
import { caKeyMaterial, type CaKeyMaterial } from './ca-key-material.js';
import { cryptoEngine, subtle } from './crypto-engine.js';
import { toPem } from './pem.js';
import { signCertificate } from './sign-certificate.js';
import { basicConstraints, certificateTime, KeyUsageBit, keyIdentifier, keyUsage, organizationName, randomSerialNumber, subjectKeyIdentifier } from './x509-extensions.js';

export type RootKeyAlgorithm = 'RSA' | 'ECDSA';

export interface SelfSignedRootOptions {
  readonly trustDomain: string;
  readonly algorithm?: RootKeyAlgorithm;
  /** Default ten years, istiod's SelfSignedCACertTTL (3650 days). */
  readonly validForSeconds?: number;
  readonly now?: Date;
}

export const DEFAULT_ROOT_VALIDITY_SECONDS = 3650 * 24 * 3600;

const KEY_ALGORITHMS: Readonly<Record<RootKeyAlgorithm, webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams>> = {
  RSA: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  ECDSA: { name: 'ECDSA', namedCurve: 'P-256' },
};

export async function createSelfSignedRoot(o: SelfSignedRootOptions): Promise<CaKeyMaterial> {
  if (o.trustDomain === '') throw new Error('a self-signed root needs a trust domain (its organization)');
  const validFor = o.validForSeconds ?? DEFAULT_ROOT_VALIDITY_SECONDS;
  if (!(validFor > 0)) throw new Error(`a root's validity must be positive, got ${validFor} seconds`);
  const keys = (await subtle.generateKey(KEY_ALGORITHMS[o.algorithm ?? 'RSA'], true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;

  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = randomSerialNumber();
  cert.subject = organizationName(o.trustDomain);
  cert.issuer = organizationName(o.trustDomain);
  const now = o.now ?? new Date();
  // Istio starts a root's validity at the moment it is made (no backdating, unlike leaves).
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  cert.notBefore = certificateTime(notBefore);
  cert.notAfter = certificateTime(new Date(notBefore.getTime() + validFor * 1000));
  await cert.subjectPublicKeyInfo.importKey(keys.publicKey, cryptoEngine);
  cert.extensions = [
    keyUsage([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign]),
    basicConstraints(true),
    subjectKeyIdentifier(keyIdentifier(cert.subjectPublicKeyInfo)),
  ];
  await signCertificate(cert, keys.privateKey, 'SHA-256');

  const certPem = toPem('CERTIFICATE', cert.toSchema(true).toBER(false));
  const keyPem = toPem('PRIVATE KEY', await subtle.exportKey('pkcs8', keys.privateKey));
  return caKeyMaterial({ signingCertPem: certPem, signingKeyPem: keyPem, intermediatesPem: [], rootCertsPem: [certPem], source: 'self-signed' });
}

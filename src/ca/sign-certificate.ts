/**
 * Signs a pkijs certificate. pkijs's Certificate.sign omits the NULL
 * parameters RFC 4055 requires in the sha*WithRSAEncryption
 * AlgorithmIdentifier; Go, OpenSSL and BoringSSL write them, and strict
 * parsers expect them, so the algorithm identifier is set here and pkijs only
 * does the signing (including the ECDSA raw-to-DER signature conversion).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { cryptoEngine } from './crypto-engine.js';

export type SignatureHash = 'SHA-256' | 'SHA-384' | 'SHA-512';

const RSA_OIDS: Readonly<Record<SignatureHash, string>> = {
  'SHA-256': '1.2.840.113549.1.1.11',
  'SHA-384': '1.2.840.113549.1.1.12',
  'SHA-512': '1.2.840.113549.1.1.13',
};
const ECDSA_OIDS: Readonly<Record<SignatureHash, string>> = {
  'SHA-256': '1.2.840.10045.4.3.2',
  'SHA-384': '1.2.840.10045.4.3.3',
  'SHA-512': '1.2.840.10045.4.3.4',
};

function signatureAlgorithm(key: CryptoKey, hash: SignatureHash): pkijs.AlgorithmIdentifier {
  switch (key.algorithm.name.toUpperCase()) {
    case 'RSASSA-PKCS1-V1_5':
      return new pkijs.AlgorithmIdentifier({ algorithmId: RSA_OIDS[hash], algorithmParams: new asn1js.Null() });
    case 'ECDSA':
      // RFC 5758 3.2: the parameters field MUST be absent for ecdsa-with-SHA*.
      return new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_OIDS[hash] });
    default:
      throw new Error(`cannot sign certificates with a ${key.algorithm.name} key`);
  }
}

export async function signCertificate(cert: pkijs.Certificate, key: CryptoKey, hash: SignatureHash): Promise<void> {
  const { parameters } = await cryptoEngine.getSignatureParameters(key, hash);
  const algorithm = signatureAlgorithm(key, hash);
  cert.signature = algorithm;
  cert.signatureAlgorithm = algorithm;
  cert.tbsView = new Uint8Array(cert.encodeTBS().toBER(false));
  cert.signatureValue = new asn1js.BitString({ valueHex: await cryptoEngine.signWithPrivateKey(cert.tbsView, key, parameters) });
}

/**
 * The webhook's TLS serving certificate. istiod serves its webhook with its
 * own DNS certificate (istiod.<ns>.svc); without one given, tsiod makes a
 * self-signed ECDSA P-256 certificate for those names at start, with pkijs
 * on Node's WebCrypto, and hands out its PEM so the caller can put it in a
 * ValidatingWebhookConfiguration's caBundle.
 *
 * The private key stays in this object and the TLS server: it is never logged
 * and never part of anything returned for display.
 */
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export interface ServingCert {
  /** PEM of the certificate (the caBundle too, when it is self-signed). */
  readonly certPem: string;
  /** PEM (PKCS#8) of the private key. Never log it. */
  readonly keyPem: string;
}

export interface SelfSignedOptions {
  readonly dnsNames: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** Default one year. */
  readonly validForMs?: number;
  readonly now?: Date;
}

const OID_COMMON_NAME = '2.5.4.3';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_KEY_USAGE = '2.5.29.15';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const GENERAL_NAME_DNS = 2;
const GENERAL_NAME_IP = 7;
/** Clock skew allowance: the certificate is valid from a little before now. */
const BACKDATE_MS = 5 * 60_000;

/** The names istiod's own webhook certificate carries, plus loopback for a local apiserver. */
export function istiodDnsNames(namespace: string): string[] {
  return [`istiod.${namespace}.svc`, `istiod.${namespace}.svc.cluster.local`, 'localhost'];
}

/**
 * A serial OpenSSL accepts: DER INTEGERs must be minimal, so the first byte
 * may be neither 0x00 (a redundant leading zero: "illegal padding", one
 * certificate in about 256 before this) nor have its top bit set (negative).
 */
export function positiveSerial(random: Uint8Array): Uint8Array {
  const serial = Uint8Array.from(random);
  serial[0] = ((serial[0] ?? 0) & 0x7f) || 0x01;
  return serial;
}

export async function selfSignedServingCert(options: SelfSignedOptions): Promise<ServingCert> {
  const commonName = options.dnsNames[0];
  if (commonName === undefined) throw new Error('a serving certificate needs at least one DNS name');
  // @types/node's SubtleCrypto is newer than the one pkijs's types were written against (KEM methods): the engine is the same at run time.
  const engine = new pkijs.CryptoEngine({ name: 'node-webcrypto', crypto: webcrypto as unknown as Crypto }) as unknown as pkijs.ICryptoEngine;
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;

  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: positiveSerial(webcrypto.getRandomValues(new Uint8Array(16))) });
  const name = (): pkijs.RelativeDistinguishedNames =>
    new pkijs.RelativeDistinguishedNames({
      typesAndValues: [new pkijs.AttributeTypeAndValue({ type: OID_COMMON_NAME, value: new asn1js.Utf8String({ value: commonName }) })],
    });
  cert.subject = name();
  cert.issuer = name();
  const now = options.now ?? new Date();
  cert.notBefore.value = new Date(now.getTime() - BACKDATE_MS);
  cert.notAfter.value = new Date(now.getTime() + (options.validForMs ?? 365 * 24 * 3600_000));

  const altNames = new pkijs.GeneralNames({
    names: [
      ...options.dnsNames.map((dns) => new pkijs.GeneralName({ type: GENERAL_NAME_DNS, value: dns })),
      ...(options.ipAddresses ?? []).map((ip) => new pkijs.GeneralName({ type: GENERAL_NAME_IP, value: new asn1js.OctetString({ valueHex: ipBytes(ip) }) })),
    ],
  });
  // digitalSignature (bit 0) for the TLS handshake, keyCertSign (bit 5) and cA so that verifiers (OpenSSL
  // among them) see a self-signed certificate and accept it as its own trust anchor, as `openssl req -x509` does.
  const keyUsage = new asn1js.BitString({ valueHex: new Uint8Array([0x84]), unusedBits: 2 });
  const extKeyUsage = new pkijs.ExtKeyUsage({ keyPurposes: [OID_SERVER_AUTH] });
  cert.extensions = [
    new pkijs.Extension({ extnID: OID_BASIC_CONSTRAINTS, critical: true, extnValue: new pkijs.BasicConstraints({ cA: true }).toSchema().toBER(false) }),
    new pkijs.Extension({ extnID: OID_KEY_USAGE, critical: true, extnValue: keyUsage.toBER(false) }),
    new pkijs.Extension({ extnID: OID_EXT_KEY_USAGE, extnValue: extKeyUsage.toSchema().toBER(false) }),
    new pkijs.Extension({ extnID: OID_SUBJECT_ALT_NAME, extnValue: altNames.toSchema().toBER(false) }),
  ];

  await cert.subjectPublicKeyInfo.importKey(keys.publicKey as unknown as CryptoKey, engine);
  await cert.sign(keys.privateKey as unknown as CryptoKey, 'SHA-256', engine);
  const certDer = cert.toSchema(true).toBER(false);
  const keyDer = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: pem('CERTIFICATE', certDer), keyPem: pem('PRIVATE KEY', keyDer) };
}

function ipBytes(ip: string): Uint8Array {
  const family = isIP(ip);
  if (family === 4) return new Uint8Array(ip.split('.').map(Number));
  if (family === 6) {
    const [head = '', tail = ''] = ip.split('::');
    const groups = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
    const h = groups(head);
    const t = ip.includes('::') ? groups(tail) : [];
    const all = ip.includes('::') ? [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t] : h;
    return new Uint8Array(all.flatMap((g) => [g >> 8, g & 0xff]));
  }
  throw new Error(`"${ip}" is not an IP address`);
}

function pem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

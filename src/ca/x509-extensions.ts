/**
 * The X.509 pieces the CA writes into certificates (RFC 5280), built with
 * pkijs/asn1js: extensions, random serial numbers and key identifiers. Kept
 * apart so the root and the leaf profiles read as lists of choices.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export const OID = {
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** KeyUsage bit positions (RFC 5280 4.2.1.3). */
export const KeyUsageBit = {
  digitalSignature: 0,
  keyEncipherment: 2,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

const GENERAL_NAME_DNS = 2;
const GENERAL_NAME_URI = 6;
const SERIAL_BYTES = 16;

/**
 * A positive 128-bit random serial in minimal DER form, as Go's
 * rand.Int(2^128) gives Istio: leading zero bytes dropped, and a 0x00 in front
 * when the top bit is set so it stays positive.
 */
export function randomSerialNumber(): asn1js.Integer {
  for (;;) {
    const raw = randomBytes(SERIAL_BYTES);
    let start = 0;
    while (start < raw.length && raw[start] === 0) start++;
    if (start === raw.length) continue; // zero is not a valid serial
    const magnitude = raw.subarray(start);
    const bytes = (magnitude[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude;
    return new asn1js.Integer({ valueHex: new Uint8Array(bytes) });
  }
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bits. */
export function keyIdentifier(spki: pkijs.PublicKeyInfo): Uint8Array {
  return new Uint8Array(createHash('sha1').update(spki.subjectPublicKey.valueBlock.valueHexView).digest());
}

function extension(extnID: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

/** BasicConstraints, critical as Go's x509 writes it; cA:false encodes as an empty SEQUENCE. */
export function basicConstraints(isCa: boolean): pkijs.Extension {
  return extension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: isCa }).toSchema());
}

/** KeyUsage (critical) with the given bits, DER-minimal (trailing zero bits dropped). */
export function keyUsage(bits: readonly number[]): pkijs.Extension {
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
  const unusedBits = 7 - (highest & 7);
  return extension(OID.keyUsage, true, new asn1js.BitString({ valueHex: bytes, unusedBits }));
}

export function extKeyUsage(purposes: readonly string[]): pkijs.Extension {
  return extension(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [...purposes] }).toSchema());
}

/**
 * SubjectAltName. Critical when the subject is empty (RFC 5280 4.2.1.6, and
 * SPIFFE X509-SVID): Istio's leaves always have an empty subject.
 */
export function subjectAltName(names: { readonly uris?: readonly string[]; readonly dnsNames?: readonly string[] }, critical: boolean): pkijs.Extension {
  const general = [
    ...(names.uris ?? []).map((uri) => new pkijs.GeneralName({ type: GENERAL_NAME_URI, value: uri })),
    ...(names.dnsNames ?? []).map((dns) => new pkijs.GeneralName({ type: GENERAL_NAME_DNS, value: dns })),
  ];
  return extension(OID.subjectAltName, critical, new pkijs.GeneralNames({ names: general }).toSchema());
}

export function subjectKeyIdentifier(id: Uint8Array): pkijs.Extension {
  return extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: id }));
}

export function authorityKeyIdentifier(id: Uint8Array): pkijs.Extension {
  return extension(
    OID.authorityKeyIdentifier,
    false,
    new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: id }) }).toSchema(),
  );
}

/** A Name with just O=<organization>, the subject Istio gives its self-signed root. */
export function organizationName(organization: string): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: [new pkijs.AttributeTypeAndValue({ type: OID.organization, value: new asn1js.Utf8String({ value: organization }) })],
  });
}

/** The subjectKeyIdentifier extension's value, if the certificate has one. */
export function existingSubjectKeyIdentifier(cert: pkijs.Certificate): Uint8Array | undefined {
  const ext = cert.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier);
  const parsed = ext?.parsedValue as asn1js.OctetString | undefined;
  return parsed instanceof asn1js.OctetString ? new Uint8Array(parsed.valueBlock.valueHexView) : undefined;
}

/** UTCTime through 2049, GeneralizedTime after, as RFC 5280 4.1.2.5 requires. */
export function certificateTime(date: Date): pkijs.Time {
  return new pkijs.Time({ type: date.getUTCFullYear() >= 2050 ? 1 : 0, value: date });
}

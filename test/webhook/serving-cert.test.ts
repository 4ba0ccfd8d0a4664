/**
 * The webhook's self-signed certificate must load in OpenSSL (Node's https)
 * whatever its random serial: a DER INTEGER with a redundant leading zero
 * byte is refused as "illegal padding", which made about one start in 256
 * fail before positiveSerial.
 */
import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { positiveSerial, selfSignedServingCert } from '../../src/webhook/serving-cert.js';

/** DER of an INTEGER with these content bytes, as the certificate carries it. */
const derInteger = (bytes: Uint8Array): Uint8Array => new Uint8Array(new asn1js.Integer({ valueHex: bytes }).toBER());

describe('webhook serving certificate serial', () => {
  it('never starts with a zero byte or a set top bit, so its DER is minimal and positive', () => {
    for (const first of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
      const random = new Uint8Array(16).fill(0x05);
      random[0] = first;
      const serial = positiveSerial(random);
      expect(serial).toHaveLength(16);
      expect(serial[0]).not.toBe(0);
      expect((serial[0] ?? 0) & 0x80).toBe(0);
      // Tag, length, then exactly the 16 bytes: nothing to pad or strip.
      expect([...derInteger(serial)]).toEqual([0x02, 16, ...serial]);
    }
  });

  it('keeps the random bytes after the first', () => {
    const random = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
    expect([...positiveSerial(random).subarray(1)]).toEqual([...random.subarray(1)]);
  });

  it('makes certificates OpenSSL parses', async () => {
    const cert = await selfSignedServingCert({ dnsNames: ['istiod.istio-system.svc'] });
    const x = new X509Certificate(cert.certPem);
    expect(x.subjectAltName).toContain('DNS:istiod.istio-system.svc');
  });
});

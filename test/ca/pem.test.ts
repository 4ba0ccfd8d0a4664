import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pemBlocks, pemCertificates, sameCertificate, splitPemCertificates, toPem } from '../../src/ca/pem.js';
import { opensslKey, opensslRoot, Scratch } from './openssl-tools.js';

const scratch = new Scratch();

describe('PEM decoding', () => {
  const a = opensslRoot(scratch, '/O=a', 'ec');
  const b = opensslRoot(scratch, '/O=b', 'ec');
  scratch.remove();

  it('reads every certificate of a concatenation, in order, as Node reads each one', () => {
    const ders = pemCertificates(`${a.certPem}\n# comment\n${b.certPem}`);
    expect(ders).toHaveLength(2);
    expect(ders[0]?.equals(new X509Certificate(a.certPem).raw)).toBe(true);
    expect(ders[1]?.equals(new X509Certificate(b.certPem).raw)).toBe(true);
  });

  it('skips other block kinds and blocks whose END label differs', () => {
    const key = opensslKey('ec');
    const mismatched = a.certPem.replace('-----END CERTIFICATE-----', '-----END X509 CRL-----');
    expect(pemBlocks(key).map((blk) => blk.label)).toEqual(['PRIVATE KEY']);
    expect(pemCertificates(`${key}${mismatched}${b.certPem}`).map((d) => d.toString('hex'))).toEqual([new X509Certificate(b.certPem).raw.toString('hex')]);
  });

  it('skips BEGIN lines without an END of their own', () => {
    const noise = '-----BEGIN CERTIFICATE-----\nAAAA\n'.repeat(20_000);
    expect(pemCertificates(noise + a.certPem)).toHaveLength(1);
    expect(pemCertificates(noise)).toEqual([]);
    expect(pemCertificates('-----END CERTIFICATE-----'.repeat(1000))).toEqual([]);
  });

  it('round-trips through toPem and compares certificates regardless of line layout', () => {
    const der = new X509Certificate(a.certPem).raw;
    const pem = toPem('CERTIFICATE', der);
    expect(splitPemCertificates(pem)).toEqual([pem]);
    const oneLine = `-----BEGIN CERTIFICATE-----${der.toString('base64')}-----END CERTIFICATE-----`;
    expect(sameCertificate(oneLine, a.certPem)).toBe(true);
    expect(sameCertificate(a.certPem, b.certPem)).toBe(false);
  });
});

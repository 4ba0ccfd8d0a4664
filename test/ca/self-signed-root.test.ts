import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createSelfSignedRoot } from '../../src/ca/self-signed-root.js';
import { opensslText, opensslVerify, Scratch } from './openssl-tools.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());

const TEN_YEARS_MS = 3650 * 24 * 3600 * 1000; // istiod's SelfSignedCACertTTL default

describe('createSelfSignedRoot', () => {
  it("makes istiod's default root: RSA 2048 signed with RSASSA-PKCS1-v1_5 SHA-256, O=<trust domain>, ten years", async () => {
    const now = new Date('2026-03-01T10:00:00Z');
    const root = await createSelfSignedRoot({ trustDomain: 'cluster.local', now });
    const text = opensslText(root.signingCertPem);
    expect(text).toContain('Public-Key: (2048 bit)');
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(text).toMatch(/Subject: O ?= ?cluster\.local\n/);
    expect(text).toMatch(/Issuer: O ?= ?cluster\.local\n/);
    const x = new X509Certificate(root.signingCertPem);
    expect(new Date(x.validFrom).getTime()).toBe(now.getTime());
    expect(new Date(x.validTo).getTime() - new Date(x.validFrom).getTime()).toBe(TEN_YEARS_MS);
    expect(root.source).toBe('self-signed');
    expect(root.rootCertsPem).toEqual([root.signingCertPem]);
    expect(root.intermediatesPem).toEqual([]);
  });

  it('marks it a CA: BasicConstraints CA:TRUE and KeyUsage keyCertSign+cRLSign, both critical, with a subject key id', async () => {
    const root = await createSelfSignedRoot({ trustDomain: 'cluster.local', algorithm: 'ECDSA' });
    const text = opensslText(root.signingCertPem);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign\n/);
    expect(text).toMatch(/X509v3 Subject Key Identifier:\s+[0-9A-F:]{59}/);
    expect(new X509Certificate(root.signingCertPem).ca).toBe(true);
    // A root is its own trust anchor, and OpenSSL's strict mode accepts it.
    expect(opensslVerify(scratch, { leafPem: root.signingCertPem, bundlePem: [root.signingCertPem] })).toContain('OK');
  });

  it('uses ECDSA P-256 (ecdsa-with-SHA256) when asked', async () => {
    const root = await createSelfSignedRoot({ trustDomain: 'example.org', algorithm: 'ECDSA' });
    const text = opensslText(root.signingCertPem);
    expect(text).toContain('ASN1 OID: prime256v1');
    expect(text).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
  });

  it('returns the matching key as PKCS#8 PEM, which does not show when the material is serialized', async () => {
    const root = await createSelfSignedRoot({ trustDomain: 'cluster.local', algorithm: 'ECDSA' });
    expect(root.signingKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const fromKey = createPublicKey(createPrivateKey(root.signingKeyPem)).export({ type: 'spki', format: 'der' });
    expect(fromKey.equals(new X509Certificate(root.signingCertPem).publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    expect(JSON.stringify(root)).not.toContain('PRIVATE KEY');
    expect({ ...root }).not.toHaveProperty('signingKeyPem');
  });

  it('honours validForSeconds', async () => {
    const root = await createSelfSignedRoot({ trustDomain: 'cluster.local', algorithm: 'ECDSA', validForSeconds: 3600 });
    const x = new X509Certificate(root.signingCertPem);
    expect(new Date(x.validTo).getTime() - new Date(x.validFrom).getTime()).toBe(3600_000);
  });
});

import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import util from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaError, CertificateAuthority } from '../../src/ca/certificate-authority.js';
import { caKeyMaterial, type CaKeyMaterial } from '../../src/ca/ca-key-material.js';
import { createSelfSignedRoot } from '../../src/ca/self-signed-root.js';
import { openssl, opensslCsr, opensslRoot, opensslSigned, opensslText, opensslVerify, Scratch } from './openssl-tools.js';
import { mutualTlsHandshake } from './tls-tools.js';

// Istio's constants (security/pkg/pki/util and pilot/pkg/features): the expectations derive from them.
const CLOCK_SKEW_GRACE_MS = 2 * 60_000;
const DEFAULT_TTL_MS = 24 * 3600_000;
const MAX_TTL_SECONDS = 90 * 24 * 3600;

const scratch = new Scratch();
afterAll(() => scratch.remove());

const td = 'cluster.local';
const bookinfo = { trustDomain: td, namespace: 'default', serviceAccount: 'bookinfo' };
/** The clock the CA sees: now, to the second, so openssl and TLS (on the real clock) accept the certificates. */
const now = new Date(Math.floor(Date.now() / 1000) * 1000);

let rsaRoot: CaKeyMaterial;
let ca: CertificateAuthority;

beforeAll(async () => {
  // On the CA's clock: a root made a second later than `now` would not be valid yet when the CA signs at `now`.
  rsaRoot = await createSelfSignedRoot({ trustDomain: td, now });
  ca = await CertificateAuthority.fromKeyMaterial(rsaRoot, { trustDomain: td, now: () => now });
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

function spki(pem: string): Buffer {
  return createPublicKey(pem).export({ type: 'spki', format: 'der' });
}

describe('CertificateAuthority.signCsr', () => {
  it.each(['rsa', 'ec'] as const)('signs an openssl %s CSR with the caller identity, ignoring the subject and SANs it asks for', async (type) => {
    const { csrPem, keyPem } = opensslCsr(scratch, type, { subject: '/O=system:masters/CN=admin', san: 'URI:spiffe://cluster.local/ns/kube-system/sa/admin,DNS:evil.example' });
    const issued = await ca.signCsr(csrPem, bookinfo);
    const leaf = new X509Certificate(issued.certChainPem[0] ?? '');
    expect(leaf.subjectAltName).toBe('URI:spiffe://cluster.local/ns/default/sa/bookinfo');
    expect(leaf.subject ?? '').toBe('');
    expect(openssl(['x509', '-noout', '-subject'], issued.certChainPem[0] ?? '').trim()).toBe('subject=');
    // The certificate is for the CSR's key.
    expect(leaf.publicKey.export({ type: 'spki', format: 'der' }).equals(spki(keyPem))).toBe(true);
  });

  it('issues the leaf profile Istio does: critical SAN, KeyUsage, ExtKeyUsage, CA:FALSE, authority key id', async () => {
    const { csrPem } = opensslCsr(scratch, 'ec');
    const issued = await ca.signCsr(csrPem, bookinfo);
    const text = opensslText(issued.certChainPem[0] ?? '');
    expect(text).toMatch(/X509v3 Subject Alternative Name: critical\s+URI:spiffe:\/\/cluster\.local\/ns\/default\/sa\/bookinfo\n/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage: \s*TLS Web Server Authentication, TLS Web Client Authentication\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    const rootSki = /X509v3 Subject Key Identifier:\s+([0-9A-F:]+)/.exec(opensslText(rsaRoot.signingCertPem))?.[1];
    const leafAki = /X509v3 Authority Key Identifier:\s+(?:keyid:)?([0-9A-F:]+)/.exec(text)?.[1];
    expect(rootSki).toBeDefined();
    expect(leafAki).toBe(rootSki);
    const leaf = new X509Certificate(issued.certChainPem[0] ?? '');
    expect(leaf.ca).toBe(false);
  });

  it('returns the chain leaf first and root last, verifying with openssl (strict) for server and client use', async () => {
    const { csrPem } = opensslCsr(scratch, 'rsa');
    const issued = await ca.signCsr(csrPem, bookinfo);
    expect(issued.certChainPem).toHaveLength(2);
    expect(new X509Certificate(issued.certChainPem[1] ?? '').raw.equals(new X509Certificate(rsaRoot.signingCertPem).raw)).toBe(true);
    const leaf = new X509Certificate(issued.certChainPem[0] ?? '');
    const root = new X509Certificate(rsaRoot.signingCertPem);
    expect(leaf.checkIssued(root)).toBe(true);
    expect(leaf.verify(root.publicKey)).toBe(true);
    for (const purpose of ['sslserver', 'sslclient'] as const) {
      expect(opensslVerify(scratch, { leafPem: issued.certChainPem[0] ?? '', bundlePem: ca.trustBundlePem(), purpose })).toMatch(/: OK/);
    }
    expect(ca.trustBundlePem()).toEqual([rsaRoot.signingCertPem]);
  });

  it('is valid from two minutes before now, for the default 24h, and reports those times and the serial', async () => {
    const { csrPem } = opensslCsr(scratch, 'ec');
    const issued = await ca.signCsr(csrPem, bookinfo);
    const leaf = new X509Certificate(issued.certChainPem[0] ?? '');
    expect(new Date(leaf.validFrom).getTime()).toBe(now.getTime() - CLOCK_SKEW_GRACE_MS);
    expect(new Date(leaf.validTo).getTime()).toBe(now.getTime() + DEFAULT_TTL_MS);
    expect(issued.notBefore.getTime()).toBe(new Date(leaf.validFrom).getTime());
    expect(issued.notAfter.getTime()).toBe(new Date(leaf.validTo).getTime());
    expect(BigInt(`0x${issued.serialHex}`)).toBe(BigInt(`0x${leaf.serialNumber}`));
  });

  it('honours a requested TTL up to 90 days and refuses longer (ttl-too-long) or non-positive (invalid-ttl)', async () => {
    const { csrPem } = opensslCsr(scratch, 'ec');
    const hour = await ca.signCsr(csrPem, bookinfo, 3600);
    expect(new Date(new X509Certificate(hour.certChainPem[0] ?? '').validTo).getTime()).toBe(now.getTime() + 3600_000);
    const max = await ca.signCsr(csrPem, bookinfo, MAX_TTL_SECONDS);
    expect(new Date(new X509Certificate(max.certChainPem[0] ?? '').validTo).getTime()).toBe(now.getTime() + MAX_TTL_SECONDS * 1000);

    const tooLong = await rejection(ca.signCsr(csrPem, bookinfo, MAX_TTL_SECONDS + 1));
    expect(tooLong).toBeInstanceOf(CaError);
    expect((tooLong as CaError).code).toBe('ttl-too-long');
    for (const ttl of [0, -60, Number.NaN, Number.POSITIVE_INFINITY]) {
      const err = await rejection(ca.signCsr(csrPem, bookinfo, ttl));
      expect(err).toBeInstanceOf(CaError);
      expect((err as CaError).code).toBe('invalid-ttl');
    }
  });

  it('caps NotAfter at the signing certificate expiry', async () => {
    const shortRoot = await createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA', validForSeconds: 3600, now });
    const shortCa = await CertificateAuthority.fromKeyMaterial(shortRoot, { trustDomain: td, now: () => now });
    const { csrPem } = opensslCsr(scratch, 'ec');
    const issued = await shortCa.signCsr(csrPem, bookinfo);
    const rootExpiry = new Date(new X509Certificate(shortRoot.signingCertPem).validTo).getTime();
    expect(new Date(new X509Certificate(issued.certChainPem[0] ?? '').validTo).getTime()).toBe(rootExpiry);
    expect(shortCa.rootCertExpiry().getTime()).toBe(rootExpiry);
    expect(issued.notAfter.getTime()).toBe(rootExpiry);
  });

  it('caps NotAfter at the root when a plugged-in intermediate outlives it', async () => {
    const root = opensslRoot(scratch, '/O=Istio/CN=Short-lived Root', 'ec', 1);
    const intermediate = opensslSigned(scratch, root, '/O=Istio/CN=Intermediate CA', { days: 730 });
    const material = caKeyMaterial({ signingCertPem: intermediate.certPem, signingKeyPem: intermediate.keyPem, intermediatesPem: [], rootCertsPem: [root.certPem], source: 'plugged-in' });
    const pluggedCa = await CertificateAuthority.fromKeyMaterial(material, { trustDomain: td });
    const issued = await pluggedCa.issueWorkloadCertificate(bookinfo, 7 * 24 * 3600);
    const rootExpiry = new Date(new X509Certificate(root.certPem).validTo).getTime();
    expect(new Date(new X509Certificate(intermediate.certPem).validTo).getTime()).toBeGreaterThan(rootExpiry);
    expect(new Date(new X509Certificate(issued.certChainPem[0] ?? '').validTo).getTime()).toBe(rootExpiry);
    expect(pluggedCa.rootCertExpiry().getTime()).toBe(rootExpiry);
  });

  it('draws 128-bit random positive serials', async () => {
    const { csrPem } = opensslCsr(scratch, 'ec');
    const serials: bigint[] = [];
    for (let i = 0; i < 32; i++) {
      const issued = await ca.signCsr(csrPem, bookinfo);
      serials.push(BigInt(`0x${new X509Certificate(issued.certChainPem[0] ?? '').serialNumber}`));
    }
    expect(new Set(serials).size).toBe(serials.length);
    for (const s of serials) {
      expect(s > 0n).toBe(true);
      expect(s < 1n << 128n).toBe(true);
    }
    // All 32 below 2^120 would happen with probability 2^-256 for uniform 128-bit serials; it is what a 64-bit serial would give.
    expect(serials.some((s) => s >= 1n << 120n)).toBe(true);
  });

  it('refuses a CSR whose signature does not match its key (csr-signature)', async () => {
    const a = opensslCsr(scratch, 'ec', { subject: '/CN=same' });
    const b = opensslCsr(scratch, 'ec', { subject: '/CN=same' });
    // Forge: put B's public key into A's CSR, keeping A's signature (both SPKIs are the same length for P-256).
    const derA = pemBody(a.csrPem);
    const spkiA = spki(a.keyPem);
    const at = derA.indexOf(spkiA);
    expect(at).toBeGreaterThan(0);
    const forged = Buffer.concat([derA.subarray(0, at), spki(b.keyPem), derA.subarray(at + spkiA.length)]);
    const err = await rejection(ca.signCsr(pem('CERTIFICATE REQUEST', forged), bookinfo));
    expect(err).toBeInstanceOf(CaError);
    expect((err as CaError).code).toBe('csr-signature');

    // And a flipped bit in an RSA signature.
    const rsa = opensslCsr(scratch, 'rsa');
    const der = Buffer.from(pemBody(rsa.csrPem));
    der[der.length - 5] = (der[der.length - 5] ?? 0) ^ 0x01;
    const flipped = await rejection(ca.signCsr(pem('CERTIFICATE REQUEST', der), bookinfo));
    expect((flipped as CaError).code).toBe('csr-signature');
  });

  it.each([
    ['not PEM', 'hello'],
    ['empty', ''],
    ['a PEM block of another kind', '-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n'],
    ['PEM around garbage', '-----BEGIN CERTIFICATE REQUEST-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE REQUEST-----\n'],
  ])('refuses %s as invalid-csr', async (_what, input) => {
    const err = await rejection(ca.signCsr(input, bookinfo));
    expect(err).toBeInstanceOf(CaError);
    expect((err as CaError).code).toBe('invalid-csr');
  });

  it('refuses a truncated CSR and an RSA key under 2048 bits as invalid-csr', async () => {
    const { csrPem } = opensslCsr(scratch, 'rsa');
    const der = pemBody(csrPem);
    const truncated = await rejection(ca.signCsr(pem('CERTIFICATE REQUEST', der.subarray(0, der.length - 20)), bookinfo));
    expect((truncated as CaError).code).toBe('invalid-csr');
    const weak = await rejection(ca.signCsr(opensslCsr(scratch, 'rsa1024').csrPem, bookinfo));
    expect((weak as CaError).code).toBe('invalid-csr');
    expect((weak as CaError).message).toMatch(/1024 bits/);
  });

  it("refuses an identity that cannot be written as Istio's SPIFFE URI", async () => {
    const { csrPem } = opensslCsr(scratch, 'ec');
    await expect(ca.signCsr(csrPem, { trustDomain: td, namespace: 'a/sa/b', serviceAccount: 'c' })).rejects.toThrow(/invalid SPIFFE identity/);
  });
});

describe('CertificateAuthority.issueWorkloadCertificate', () => {
  it('generates an ECDSA P-256 key and certifies it for the identity, chain root last', async () => {
    const issued = await ca.issueWorkloadCertificate(bookinfo, 3600);
    const key = createPrivateKey(issued.privateKeyPem);
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const leaf = new X509Certificate(issued.certChainPem[0] ?? '');
    expect(leaf.checkPrivateKey(key)).toBe(true);
    expect(leaf.subjectAltName).toBe('URI:spiffe://cluster.local/ns/default/sa/bookinfo');
    expect(new Date(leaf.validTo).getTime()).toBe(now.getTime() + 3600_000);
    expect(issued.certChainPem.at(-1)).toBe(rsaRoot.signingCertPem);
    expect(opensslVerify(scratch, { leafPem: issued.certChainPem[0] ?? '', bundlePem: ca.trustBundlePem(), purpose: 'sslclient' })).toMatch(/: OK/);
  });

  it('keeps the key out of JSON.stringify, util.inspect and spreads of the result', async () => {
    const issued = await ca.issueWorkloadCertificate(bookinfo);
    expect(issued.privateKeyPem).toContain('PRIVATE KEY');
    expect(JSON.stringify(issued)).not.toContain('PRIVATE KEY');
    expect(util.inspect(issued, { depth: 10 })).not.toContain('PRIVATE KEY');
    expect({ ...issued }).not.toHaveProperty('privateKeyPem');
  });

  it('applies the same TTL rules as signCsr', async () => {
    expect(((await rejection(ca.issueWorkloadCertificate(bookinfo, MAX_TTL_SECONDS + 1))) as CaError).code).toBe('ttl-too-long');
    expect(((await rejection(ca.issueWorkloadCertificate(bookinfo, 0))) as CaError).code).toBe('invalid-ttl');
  });

  it('lets two workloads complete a mutual TLS handshake, each seeing the other SPIFFE identity', async () => {
    const reviews = { trustDomain: td, namespace: 'bookinfo', serviceAccount: 'reviews' };
    const ratings = { trustDomain: td, namespace: 'bookinfo', serviceAccount: 'ratings' };
    const server = await ca.issueWorkloadCertificate(ratings);
    const client = await ca.issueWorkloadCertificate(reviews);
    const result = await mutualTlsHandshake(
      { keyPem: server.privateKeyPem, certChainPem: server.certChainPem, trustedPem: ca.trustBundlePem() },
      { keyPem: client.privateKeyPem, certChainPem: client.certChainPem, trustedPem: ca.trustBundlePem() },
      { expectServerSan: 'URI:spiffe://cluster.local/ns/bookinfo/sa/ratings' },
    );
    expect(result.clientSanSeenByServer).toBe('URI:spiffe://cluster.local/ns/bookinfo/sa/reviews');
    expect(result.serverSanSeenByClient).toBe('URI:spiffe://cluster.local/ns/bookinfo/sa/ratings');
  });

  it('fails that handshake when the client trusts another root (the test can fail)', async () => {
    const other = await createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' });
    const server = await ca.issueWorkloadCertificate(bookinfo);
    const client = await ca.issueWorkloadCertificate(bookinfo);
    await expect(
      mutualTlsHandshake(
        { keyPem: server.privateKeyPem, certChainPem: server.certChainPem, trustedPem: ca.trustBundlePem() },
        { keyPem: client.privateKeyPem, certChainPem: client.certChainPem, trustedPem: other.rootCertsPem },
      ),
    ).rejects.toThrow();
  });
});

describe('CertificateAuthority.issueServingCertificate', () => {
  const names = ['istiod.istio-system.svc', 'istiod-remote.istio-system.svc', 'istio-pilot.istio-system.svc'];

  it("issues the 15012 server certificate with istiod's DNS names, verifiable by hostname", async () => {
    const issued = await ca.issueServingCertificate(names);
    const leaf = new X509Certificate(issued.certChainPem[0] ?? '');
    expect(leaf.subjectAltName).toBe(names.map((n) => `DNS:${n}`).join(', '));
    expect(leaf.checkPrivateKey(createPrivateKey(issued.privateKeyPem))).toBe(true);
    for (const name of names) {
      expect(leaf.checkHost(name)).toBe(name);
      expect(opensslVerify(scratch, { leafPem: issued.certChainPem[0] ?? '', bundlePem: ca.trustBundlePem(), purpose: 'sslserver', extra: ['-verify_hostname', name] })).toMatch(/: OK/);
    }
    expect(leaf.checkHost('istiod.other.svc')).toBeUndefined();
  });

  it('serves TLS that a client trusting the bundle accepts for istiod.<ns>.svc', async () => {
    const issued = await ca.issueServingCertificate(names);
    const client = await ca.issueWorkloadCertificate(bookinfo);
    const result = await mutualTlsHandshake(
      { keyPem: issued.privateKeyPem, certChainPem: issued.certChainPem, trustedPem: ca.trustBundlePem() },
      { keyPem: client.privateKeyPem, certChainPem: client.certChainPem, trustedPem: ca.trustBundlePem() },
      { servername: 'istiod.istio-system.svc' },
    );
    expect(result.serverSanSeenByClient).toContain('DNS:istiod.istio-system.svc');
  });

  it('refuses an empty name list', async () => {
    await expect(ca.issueServingCertificate([])).rejects.toThrow(/at least one DNS name/);
  });
});

describe('CertificateAuthority and key material', () => {
  it('keeps the signing key out of JSON.stringify and util.inspect of the CA', () => {
    expect(JSON.stringify(ca)).not.toContain('PRIVATE KEY');
    const inspected = util.inspect(ca, { showHidden: true, depth: 20 });
    expect(inspected).not.toContain('PRIVATE KEY');
    expect(inspected).not.toContain(pemBody(rsaRoot.signingKeyPem).toString('base64').slice(0, 40));
  });

  it('refuses material whose key does not match the certificate, without quoting the key', async () => {
    const other = await createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' });
    const mismatched = caKeyMaterial({ ...rsaRoot, signingKeyPem: other.signingKeyPem });
    const err = (await rejection(CertificateAuthority.fromKeyMaterial(mismatched, { trustDomain: td }))) as Error;
    expect(err.message).toMatch(/does not match/);
    expect(err.message).not.toContain('PRIVATE KEY');
    expect(util.inspect(err)).not.toContain('PRIVATE KEY');
    expect(util.inspect(err)).not.toContain(pemBody(other.signingKeyPem).toString('base64').slice(0, 40));
  });

  it('refuses a signing certificate that is not a CA', async () => {
    const root = opensslRoot(scratch, '/O=not-a-ca');
    const leafAsCa = await ca.issueWorkloadCertificate(bookinfo);
    const material = caKeyMaterial({ signingCertPem: leafAsCa.certChainPem[0] ?? '', signingKeyPem: leafAsCa.privateKeyPem, intermediatesPem: [], rootCertsPem: [root.certPem], source: 'plugged-in' });
    await expect(CertificateAuthority.fromKeyMaterial(material, { trustDomain: td })).rejects.toThrow(/not a CA/);
  });

  it('reads an operator key in PKCS#1 form (openssl genrsa -traditional)', async () => {
    const root = opensslRoot(scratch, '/O=traditional');
    const pkcs1 = createPrivateKey(root.keyPem).export({ type: 'pkcs1', format: 'pem' });
    expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
    const material = caKeyMaterial({ signingCertPem: root.certPem, signingKeyPem: pkcs1, intermediatesPem: [], rootCertsPem: [root.certPem], source: 'plugged-in' });
    const pluggedCa = await CertificateAuthority.fromKeyMaterial(material, { trustDomain: td });
    const issued = await pluggedCa.issueWorkloadCertificate(bookinfo);
    expect(opensslVerify(scratch, { leafPem: issued.certChainPem[0] ?? '', bundlePem: [root.certPem] })).toMatch(/: OK/);
  });
});

function pemBody(text: string): Buffer {
  const body = /-----BEGIN [A-Z ]+-----([\s\S]*?)-----END/.exec(text)?.[1] ?? '';
  return Buffer.from(body.replace(/\s+/g, ''), 'base64');
}

function pem(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;
}

import { X509Certificate, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { importPKCS8, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientCertificateAuthenticator } from '../../../src/ca/authn/client-certificate-authenticator.js';
import { LocalTokenIssuer } from '../../../src/ca/authn/local-token-issuer.js';
import { CertificateAuthority, MAX_WORKLOAD_CERT_TTL_SECONDS } from '../../../src/ca/certificate-authority.js';
import { startCaTestServer, TRUST_DOMAIN, type CaTestClient, type CaTestServer, type CallOutcome } from './ca-test-server.js';
import { opensslCa, opensslClientCertificate, opensslCsr, opensslVerify, type OpensslCsr } from './openssl.js';

/** The identity Istio puts in a workload certificate (pkg/spiffe): spiffe://<td>/ns/<ns>/sa/<sa>. */
const spiffe = (ns: string, sa: string, td = TRUST_DOMAIN): string => `spiffe://${td}/ns/${ns}/sa/${sa}`;

function expectOk(outcome: CallOutcome): string[] {
  if (!outcome.ok) throw new Error(`CreateCertificate failed: ${grpc.status[outcome.code]} ${outcome.details}`);
  return outcome.certChain;
}

function expectRefused(outcome: CallOutcome, code: grpc.status, details?: RegExp): void {
  expect(outcome.ok, outcome.ok ? 'the call succeeded' : '').toBe(false);
  if (outcome.ok) return;
  expect(grpc.status[outcome.code]).toBe(grpc.status[code]);
  if (details) expect(outcome.details).toMatch(details);
}

function uriSans(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '').split(', ').filter((n) => n.startsWith('URI:')).map((n) => n.slice(4));
}

describe('CreateCertificate over TLS (local tokens and client certificates)', () => {
  let stateDir: string;
  let issuer: LocalTokenIssuer;
  let server: CaTestServer;
  let client: CaTestClient;
  let csr: OpensslCsr;

  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-ca-api-'));
    issuer = await LocalTokenIssuer.open(stateDir);
    server = await startCaTestServer((ca) => [new ClientCertificateAuthenticator({ trustDomain: ca.trustDomain }), issuer.authenticator()]);
    client = server.client();
    // The CSR asks for someone else's identity: the answer must ignore it.
    csr = await opensslCsr({ subject: '/CN=admin', subjectAltName: `URI:${spiffe('kube-system', 'admin')},DNS:evil.example` });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  const tokenFor = (namespace: string, serviceAccount: string): Promise<string> => issuer.mint({ namespace, serviceAccount, ttlSeconds: 600 });

  it('signs the CSR for the authenticated identity only; openssl and Node verify the chain to the trust bundle', async () => {
    const before = { csr: await server.metric('citadel_server_csr_count'), ok: await server.metric('citadel_server_success_cert_issuance_count') };
    const chain = expectOk(await client.createCertificate({ csr: csr.csrPem, token: await tokenFor('ns-a', 'sa-a') }));

    expect(chain.length).toBeGreaterThanOrEqual(2);
    for (const pem of chain) expect(pem.endsWith('\n')).toBe(true);
    const [leafPem = '', ...rest] = chain;
    const rootPem = rest[rest.length - 1] ?? '';
    const leaf = new X509Certificate(leafPem);
    const root = new X509Certificate(rootPem);
    // Root last, and it is the root the CA distributes.
    expect(server.ca.trustBundlePem().map((p) => new X509Certificate(p).fingerprint256)).toContain(root.fingerprint256);
    expect(leaf.verify(new X509Certificate(rest[0] ?? '').publicKey)).toBe(true);
    expect(uriSans(leaf)).toEqual([spiffe('ns-a', 'sa-a')]);
    expect(leaf.subjectAltName).not.toContain('evil.example');
    // Node reports an empty subject as undefined or ''.
    expect(leaf.subject || '').toBe('');
    // The certificate is for the CSR's key.
    expect(leaf.publicKey.export({ type: 'spki', format: 'pem' })).toBe(createPublicKey(csr.publicKeyPem).export({ type: 'spki', format: 'pem' }));
    expect(await opensslVerify({ leafPem, intermediatesPem: rest.slice(0, -1), rootPem, purpose: 'sslclient' })).toMatch(/: OK/);

    expect(await server.metric('citadel_server_csr_count')).toBe(before.csr + 1);
    expect(await server.metric('citadel_server_success_cert_issuance_count')).toBe(before.ok + 1);
  });

  it('signs an RSA CSR as well', async () => {
    const rsa = await opensslCsr({ key: 'rsa' });
    const [leafPem = ''] = expectOk(await client.createCertificate({ csr: rsa.csrPem, token: await tokenFor('ns-r', 'sa-r') }));
    expect(uriSans(new X509Certificate(leafPem))).toEqual([spiffe('ns-r', 'sa-r')]);
  });

  it('honours validity_duration: NotAfter is the requested TTL after now, NotBefore two minutes back', async () => {
    const start = Date.now();
    const [leafPem = ''] = expectOk(await client.createCertificate({ csr: csr.csrPem, token: await tokenFor('ns-a', 'sa-a'), validityDuration: 3600n }));
    const end = Date.now();
    const leaf = new X509Certificate(leafPem);
    const notBefore = Date.parse(leaf.validFrom);
    const notAfter = Date.parse(leaf.validTo);
    // Certificate times have whole seconds.
    expect(notAfter).toBeGreaterThanOrEqual(Math.floor(start / 1000) * 1000 + 3600_000 - 1000);
    expect(notAfter).toBeLessThanOrEqual(end + 3600_000);
    expect(notBefore).toBeGreaterThanOrEqual(Math.floor(start / 1000) * 1000 - 120_000 - 1000);
    expect(notBefore).toBeLessThanOrEqual(end - 120_000);
  });

  it('refuses a TTL above the maximum with INVALID_ARGUMENT and counts a TTL_ERROR', async () => {
    const before = await server.metric('citadel_server_csr_sign_err_count', { error: 'TTL_ERROR' });
    expectRefused(
      await client.createCertificate({ csr: csr.csrPem, token: await tokenFor('ns-a', 'sa-a'), validityDuration: BigInt(MAX_WORKLOAD_CERT_TTL_SECONDS + 1) }),
      grpc.status.INVALID_ARGUMENT,
      /TTL/,
    );
    expectRefused(
      await client.createCertificate({ csr: csr.csrPem, token: await tokenFor('ns-a', 'sa-a'), validityDuration: 9_223_372_036_854_775_807n }),
      grpc.status.INVALID_ARGUMENT,
      /TTL/,
    );
    expect(await server.metric('citadel_server_csr_sign_err_count', { error: 'TTL_ERROR' })).toBe(before + 2);
  });

  it('refuses a CSR that is not one, or whose signature is wrong, with INVALID_ARGUMENT and a parsing error count', async () => {
    const token = await tokenFor('ns-a', 'sa-a');
    const before = await server.metric('citadel_server_csr_parsing_err_count');
    expectRefused(await client.createCertificate({ csr: 'not a csr', token }), grpc.status.INVALID_ARGUMENT, /CSR/);
    expectRefused(await client.createCertificate({ csr: '', token }), grpc.status.INVALID_ARGUMENT, /csr field is empty/);
    // Flip a byte near the end of the DER: inside the signature.
    const der = Buffer.from(csr.csrPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
    der[der.length - 5] = (der[der.length - 5] ?? 0) ^ 0xff;
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
    expectRefused(await client.createCertificate({ csr: tampered, token }), grpc.status.INVALID_ARGUMENT, /CSR/);
    expect(await server.metric('citadel_server_csr_parsing_err_count')).toBe(before + 3);
  });

  it('refuses a call without credentials with UNAUTHENTICATED and counts an authentication failure', async () => {
    const before = await server.metric('citadel_server_authentication_failure_count');
    expectRefused(await client.createCertificate({ csr: csr.csrPem }), grpc.status.UNAUTHENTICATED, /no credentials/);
    expectRefused(await client.createCertificate({ csr: csr.csrPem, authorization: 'Basic dXNlcjpwYXNz' }), grpc.status.UNAUTHENTICATED);
    expect(await server.metric('citadel_server_authentication_failure_count')).toBe(before + 2);
  });

  describe('refuses bad JWTs with UNAUTHENTICATED, each counted', () => {
    const now = (): number => Math.floor(Date.now() / 1000);
    const { privateKey: foreignKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const claims = (o: { iss?: string; aud?: string; exp?: number } = {}): SignJWT =>
      new SignJWT({})
        .setIssuer(o.iss ?? 'tsiod-local')
        .setAudience(o.aud ?? 'istio-ca')
        .setSubject('system:serviceaccount:ns-a:sa-a')
        .setExpirationTime(o.exp ?? now() + 600);
    const cases: Array<[string, () => Promise<string>, RegExp]> = [
      ['a forged signature', async () => claims().setProtectedHeader({ alg: 'ES256', kid: issuer.jwks().keys[0]?.kid ?? '' }).sign(foreignKey), /invalid signature/],
      ['an unknown issuer', async () => claims({ iss: 'https://evil.example' }).setProtectedHeader({ alg: 'ES256' }).sign(foreignKey), /not one this server accepts/],
      ['a wrong audience', async () => {
        // Signed with the issuer's own key, for an audience other than istio-ca.
        const key = await importPKCS8(await readFile(issuer.keyPath, 'utf8'), 'ES256');
        return claims({ aud: 'kubernetes' }).setProtectedHeader({ alg: 'ES256', kid: issuer.jwks().keys[0]?.kid ?? '' }).sign(key);
      }, /audience istio-ca/],
      ['an expired token', async () => {
        const past = await LocalTokenIssuer.open(stateDir, { now: () => new Date(Date.now() - 7_200_000) });
        return past.mint({ namespace: 'ns-a', serviceAccount: 'sa-a', ttlSeconds: 60 });
      }, /expired/],
      ['alg none', async () => new UnsecuredJWT({}).setIssuer('tsiod-local').setAudience('istio-ca').setSubject('system:serviceaccount:ns-a:sa-a').setExpirationTime(now() + 600).encode(), /algorithm|not valid/],
      ['garbage', async () => 'garbage', /not one this server accepts/],
    ];
    it.each(cases)('%s', async (_name, makeToken, details) => {
      const before = await server.metric('citadel_server_authentication_failure_count');
      expectRefused(await client.createCertificate({ csr: csr.csrPem, token: await makeToken() }), grpc.status.UNAUTHENTICATED, details);
      expect(await server.metric('citadel_server_authentication_failure_count')).toBe(before + 1);
    });
  });

  it('refuses Istio\'s ImpersonatedIdentity metadata (no trusted node accounts)', async () => {
    const before = await server.metric('citadel_server_authentication_failure_count');
    expectRefused(
      await client.createCertificate({ csr: csr.csrPem, token: await tokenFor('ns-a', 'sa-a'), requestMetadata: { ImpersonatedIdentity: spiffe('kube-system', 'admin') } }),
      grpc.status.UNAUTHENTICATED,
      /impersonation/,
    );
    expect(await server.metric('citadel_server_authentication_failure_count')).toBe(before + 1);
  });

  it('authenticates a caller by a client certificate our CA issued, and signs for that identity', async () => {
    const current = await server.ca.issueWorkloadCertificate({ trustDomain: TRUST_DOMAIN, namespace: 'ns-c', serviceAccount: 'sa-c' });
    const withCert = server.client({ clientCertificate: { certPem: current.certChainPem.slice(0, -1).join(''), keyPem: current.privateKeyPem } });
    try {
      const [leafPem = ''] = expectOk(await withCert.createCertificate({ csr: csr.csrPem }));
      expect(uriSans(new X509Certificate(leafPem))).toEqual([spiffe('ns-c', 'sa-c')]);
    } finally {
      withCert.close();
    }
  });

  it('refuses a client certificate chaining to our root but for another trust domain', async () => {
    // The same root and key, signing for another trust domain: the TLS handshake verifies it, the trust domain does not match.
    const foreignDomainCa = await CertificateAuthority.fromKeyMaterial(server.material, { trustDomain: 'other.domain' });
    const foreign = await foreignDomainCa.issueWorkloadCertificate({ trustDomain: 'other.domain', namespace: 'ns-a', serviceAccount: 'sa-a' });
    expect(uriSans(new X509Certificate(foreign.certChainPem[0] ?? ''))).toEqual([spiffe('ns-a', 'sa-a', 'other.domain')]);
    const before = await server.metric('citadel_server_authentication_failure_count');
    const withCert = server.client({ clientCertificate: { certPem: foreign.certChainPem.slice(0, -1).join(''), keyPem: foreign.privateKeyPem } });
    try {
      expectRefused(await withCert.createCertificate({ csr: csr.csrPem }), grpc.status.UNAUTHENTICATED, /trust domain other\.domain/);
    } finally {
      withCert.close();
    }
    expect(await server.metric('citadel_server_authentication_failure_count')).toBe(before + 1);
  });

  it('does not take a client certificate from a CA it does not trust as an identity', async () => {
    const otherMesh = await opensslCa('/O=other.mesh');
    const cert = await opensslClientCertificate(otherMesh, `URI:${spiffe('ns-a', 'sa-a')}`);
    const withCert = server.client({ clientCertificate: cert });
    try {
      expectRefused(await withCert.createCertificate({ csr: csr.csrPem }), grpc.status.UNAUTHENTICATED, /no credentials/);
    } finally {
      withCert.close();
    }
  });
});

import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalTokenIssuer } from '../../../src/ca/authn/local-token-issuer.js';
import { createSelfSignedRoot } from '../../../src/ca/self-signed-root.js';
import { startCaTestServer, SERVER_NAME, TRUST_DOMAIN, type CaTestServer } from './ca-test-server.js';
import { opensslCsr } from './openssl.js';

function peerCertificate(port: number, ca: string): Promise<tls.DetailedPeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: SERVER_NAME, ca, ALPNProtocols: ['h2'] }, () => {
      const cert = socket.getPeerCertificate(true);
      socket.end();
      resolve(cert);
    });
    socket.on('error', reject);
  });
}

describe('the CA port\'s TLS', () => {
  let stateDir: string;
  let issuer: LocalTokenIssuer;
  let server: CaTestServer;

  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-ca-tls-'));
    issuer = await LocalTokenIssuer.open(stateDir);
    server = await startCaTestServer(() => [issuer.authenticator()]);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('serves a certificate from our CA for istiod\'s Service names, verified by Node against the trust bundle', async () => {
    const cert = await peerCertificate(server.port, server.ca.trustBundlePem().join('\n'));
    for (const name of ['istiod.istio-system.svc', 'istiod-remote.istio-system.svc', 'istio-pilot.istio-system.svc']) {
      expect(cert.subjectaltname).toContain(`DNS:${name}`);
    }
    const leaf = new X509Certificate(cert.raw);
    expect(leaf.checkIssued(new X509Certificate(server.ca.trustBundlePem()[0] ?? ''))).toBe(true);
  });

  it('moves to a new serving certificate through a root rotation, so clients trusting only the new root connect', async () => {
    const expirySeconds = (pem: string): number => Math.floor(Date.parse(new X509Certificate(pem).validTo) / 1000);
    const oldRoot = server.ca.trustBundlePem()[0] ?? '';
    expect(await server.metric('citadel_server_root_cert_expiry_timestamp')).toBe(expirySeconds(oldRoot));
    const deadline = Date.now() + 20_000;
    const renewed = async (from: string): Promise<void> => {
      while (server.serving.currentCertificateChainPem() === from) {
        if (Date.now() > deadline) throw new Error('the serving certificate was not renewed after the trust bundle changed');
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    // A shorter life than the first root's, so the expiry metric visibly moves.
    const next = await createSelfSignedRoot({ trustDomain: TRUST_DOMAIN, algorithm: 'ECDSA', validForSeconds: 5 * 365 * 86_400 });
    // Rotation as the CA does it: introduce (bundle = new + old), activate (sign with new), retire the old root.
    const first = server.serving.currentCertificateChainPem();
    await server.ca.introduceRoot(next);
    await renewed(first);
    server.ca.activateIntroducedRoot();
    const second = server.serving.currentCertificateChainPem();
    expect(server.ca.retireRoot(oldRoot)).toBe(true);
    await renewed(second);
    const newRootOnly = next.rootCertsPem[0] ?? '';
    // grpc-js applies a new secure context to new connections: retry until the handshake sees it.
    let cert: tls.DetailedPeerCertificate | undefined;
    while (!cert) {
      cert = await peerCertificate(server.port, newRootOnly).catch(() => undefined);
      if (!cert && Date.now() > deadline) throw new Error('clients trusting only the new root cannot connect');
      if (!cert) await new Promise((r) => setTimeout(r, 50));
    }
    expect(new X509Certificate(cert.raw).checkIssued(new X509Certificate(newRootOnly))).toBe(true);
    // citadel_server_root_cert_expiry_timestamp follows the root now signing.
    expect(await server.metric('citadel_server_root_cert_expiry_timestamp')).toBe(expirySeconds(newRootOnly));

    // And the CA API still works for a client on the new bundle.
    const client = server.client();
    try {
      const outcome = await client.createCertificate({ csr: (await opensslCsr()).csrPem, token: await issuer.mint({ namespace: 'a', serviceAccount: 'b', ttlSeconds: 60 }) });
      expect(outcome.ok ? 'OK' : outcome.details).toBe('OK');
    } finally {
      client.close();
    }
  });
});

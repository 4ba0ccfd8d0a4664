/**
 * Two workloads, each with a certificate from a running tsiod (file mode),
 * complete a real mutual TLS handshake and check each other's SPIFFE
 * identity, as two sidecars do with what SDS gives them:
 *
 * - each asks CreateCertificate on 15012 with a CSR made by `openssl req` and
 *   a token from `tsiod token create` (createLocalToken), trusting the bundle
 *   `tsiod ca root` prints (runCaRoot);
 * - workload A is a Node `tls` server that requires a client certificate
 *   chaining to that bundle and accepts only the SPIFFE URI SAN it expects
 *   (spiffe://cluster.local/ns/<ns>/sa/<sa>), checked here, as Envoy's
 *   match_subject_alt_names would;
 * - workload B is `openssl s_client` with its key and chain and -CAfile the
 *   bundle: it must report `Verify return code: 0 (ok)` and see A's SPIFFE ID;
 * - a client certificate from another CA, even naming the expected identity,
 *   fails the handshake; a certificate from tsiod for another identity (or the
 *   same service account in another namespace) completes it and is refused.
 *
 * Expectations come from Istio's identity format and TLS itself, checked
 * with Node's X509Certificate and the openssl CLI, not with tsiod's code.
 */
import * as grpc from '@grpc/grpc-js';
import { create } from '@bufbuild/protobuf';
import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateServiceDefinition } from '../../src/ca/server/certificate-service-definition.js';
import { runCaRoot } from '../../src/cli/ca-root.js';
import { startTsiod, type RunningTsiod } from '../../src/cli/serve.js';
import { createLocalToken } from '../../src/cli/token-create.js';
import { IstioCertificateRequestSchema, type IstioCertificateResponse } from '../../src/gen/istio/v1/auth/ca_pb.js';
import { opensslCa, opensslClientCertificate, opensslCsr, opensslVerify } from '../ca/server/openssl.js';

const TRUST_DOMAIN = 'cluster.local';
/** The name on 15012's certificate (istiod.<system namespace>.svc), which a workload's agent dials. */
const SERVER_NAME = 'istiod.istio-system.svc';
const A = { namespace: 'shop', serviceAccount: 'frontend' } as const;
const B = { namespace: 'shop', serviceAccount: 'checkout' } as const;

interface Identity {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** Istio's SPIFFE ID of a Kubernetes service account. */
const spiffeId = (id: Identity): string => `spiffe://${TRUST_DOMAIN}/ns/${id.namespace}/sa/${id.serviceAccount}`;

interface WorkloadCertificate {
  readonly keyPem: string;
  /** Leaf first, root last, as CreateCertificate returns it. */
  readonly chainPem: readonly string[];
}

type CertificateClient = grpc.Client & {
  CreateCertificate(request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: IstioCertificateResponse) => void): void;
};
const CertificateClientConstructor = grpc.makeGenericClientConstructor(certificateServiceDefinition, 'IstioCertificateService');

/** The URI SANs of a certificate, from Node's rendering ("URI:spiffe://..., DNS:..."). */
function uriSans(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice('URI:'.length));
}

/** What workload A decided about one connection. */
interface Decision {
  readonly accepted: boolean;
  readonly peerUris: readonly string[];
}

interface WorkloadServer {
  readonly port: number;
  readonly decisions: Decision[];
  /** Handshakes that failed (tlsClientError): Node's error, and the peer certificate's verification error if that was why. */
  readonly handshakeErrors: { readonly error: string; readonly authorizationError: string | undefined }[];
  close(): Promise<void>;
}

/**
 * Workload A: mutual TLS with the mesh's bundle, then its own authorization:
 * exactly one URI SAN, and it is the SPIFFE ID it expects.
 */
async function startWorkloadServer(own: WorkloadCertificate, bundlePem: string, expectedPeer: string): Promise<WorkloadServer> {
  const decisions: Decision[] = [];
  const handshakeErrors: WorkloadServer['handshakeErrors'][number][] = [];
  const server = tls.createServer(
    {
      key: own.keyPem,
      // The chain without the root: the peer has the root already.
      cert: own.chainPem.slice(0, Math.max(1, own.chainPem.length - 1)).join(''),
      ca: bundlePem,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket) => {
      const peer = socket.getPeerX509Certificate();
      const peerUris = peer ? uriSans(peer) : [];
      const accepted = socket.authorized && peerUris.length === 1 && peerUris[0] === expectedPeer;
      decisions.push({ accepted, peerUris });
      if (accepted) socket.end(`hello ${expectedPeer}\n`);
      else socket.destroy();
    },
  );
  server.on('tlsClientError', (error, socket) => {
    const reason = socket.authorizationError as Error | string | null | undefined;
    handshakeErrors.push({ error: error.message, authorizationError: reason === null || reason === undefined ? undefined : String(reason) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    decisions,
    handshakeErrors,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface SClientRun {
  /** stdout and stderr together. */
  readonly output: string;
  /** The certificates the server sent (-showcerts), leaf first. */
  readonly serverChain: X509Certificate[];
}

describe('workloads with tsiod-issued certificates: mutual TLS with SPIFFE identity checks', () => {
  let dir: string;
  let stateDir: string;
  let bundleFile: string;
  let bundlePem: string;
  let tsiod: RunningTsiod;
  const logs: string[] = [];
  const servers: WorkloadServer[] = [];
  let counter = 0;

  /** A certificate for `id` from tsiod's 15012, the way a workload's agent gets one. */
  async function issue(id: Identity): Promise<WorkloadCertificate> {
    // The CSR asks for nothing in particular: the identity comes from the token.
    const csr = await opensslCsr({ subject: '/' });
    const token = await createLocalToken({ namespace: id.namespace, serviceAccount: id.serviceAccount, stateDir });
    const client = new CertificateClientConstructor(`127.0.0.1:${tsiod.securePort}`, grpc.credentials.createSsl(Buffer.from(bundlePem)), {
      'grpc.ssl_target_name_override': SERVER_NAME,
      'grpc.default_authority': SERVER_NAME,
    }) as unknown as CertificateClient;
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    try {
      const response = await new Promise<IstioCertificateResponse>((resolve, reject) => {
        client.CreateCertificate(create(IstioCertificateRequestSchema, { csr: csr.csrPem }), metadata, { deadline: Date.now() + 20_000 }, (error, answer) => {
          if (error || !answer) reject(error ?? new Error('no response'));
          else resolve(answer);
        });
      });
      return { keyPem: csr.keyPem, chainPem: [...response.certChain] };
    } finally {
      client.close();
    }
  }

  /** Workload B: `openssl s_client` with its certificate and key, trusting `caFile`; it aborts the handshake if A's chain does not verify. */
  async function sClient(port: number, own: { keyPem: string; chainPem: readonly string[] }, caFile = bundleFile): Promise<SClientRun> {
    const n = counter++;
    const certFile = path.join(dir, `client-${n}.pem`);
    const keyFile = path.join(dir, `client-${n}.key`);
    const [leaf = '', ...rest] = own.chainPem;
    await writeFile(certFile, leaf);
    await writeFile(keyFile, own.keyPem, { mode: 0o600 });
    const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-cert', certFile, '-key', keyFile, '-CAfile', caFile, '-verify_return_error', '-showcerts', '-ign_eof'];
    // Intermediates (none with a self-signed root) go along; the root is the peer's to have.
    const intermediates = rest.slice(0, -1);
    if (intermediates.length > 0) {
      const chainFile = path.join(dir, `client-${n}-chain.pem`);
      await writeFile(chainFile, intermediates.join(''));
      args.push('-cert_chain', chainFile);
    }
    const output = await new Promise<string>((resolve) => {
      const child = execFile('openssl', args, { timeout: 30_000 }, (_error, stdout, stderr) => resolve(`${stdout}${stderr}`));
      child.stdin?.end();
    });
    const shown = output.slice(output.indexOf('Certificate chain'), output.indexOf('---\nServer certificate'));
    const serverChain = [...shown.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => new X509Certificate(m[0]));
    return { output, serverChain };
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-mtls-handshake-'));
    stateDir = path.join(dir, 'state');
    const configDir = path.join(dir, 'config');
    // No config at all: the CA and 15012 need none.
    await mkdir(configDir);
    tsiod = await startTsiod({
      configDir, securePort: 0, stateDir, host: '127.0.0.1', xdsPort: null, monitoringPort: null,
      logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
    });
    // `tsiod ca root`: the bundle a local client is told to trust.
    let printed = '';
    await runCaRoot({ stateDir }, (text) => {
      printed += text;
    });
    bundlePem = printed;
    bundleFile = path.join(dir, 'root.pem');
    await writeFile(bundleFile, bundlePem);
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) await server.close();
    await tsiod?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    // Keys went over the wire to no one and into no log.
    expect(logs.join('')).not.toMatch(/PRIVATE KEY/);
  });

  it('`tsiod ca root` prints the bundle tsiod serves 15012 with', () => {
    const printed = [...bundlePem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => new X509Certificate(m[0]).raw);
    expect(printed.length).toBeGreaterThan(0);
    expect(printed).toEqual(tsiod.trustBundlePem().map((pem) => new X509Certificate(pem).raw));
  });

  it('issues each workload a certificate for its own SPIFFE identity, usable for both ends of mutual TLS', async () => {
    for (const id of [A, B]) {
      const cert = await issue(id);
      const leaf = new X509Certificate(cert.chainPem[0] ?? '');
      expect(uriSans(leaf)).toEqual([spiffeId(id)]);
      expect(leaf.checkPrivateKey(createPrivateKey(cert.keyPem))).toBe(true);
      const root = cert.chainPem[cert.chainPem.length - 1] ?? '';
      for (const purpose of ['sslserver', 'sslclient'] as const) {
        expect(await opensslVerify({ leafPem: cert.chainPem[0] ?? '', intermediatesPem: cert.chainPem.slice(1, -1), rootPem: bundlePem, purpose })).toMatch(/: OK/);
      }
      expect(bundlePem).toContain(root.trim());
    }
  });

  it('completes the handshake between A (Node tls) and B (openssl s_client); each sees the other\'s SPIFFE ID', async () => {
    const server = await startWorkloadServer(await issue(A), bundlePem, spiffeId(B));
    servers.push(server);
    const run = await sClient(server.port, await issue(B));
    expect(run.output).toMatch(/Verify return code: 0 \(ok\)/);
    expect(run.output).toContain(`hello ${spiffeId(B)}`);
    // B checks A's identity the same way: the one URI SAN of the leaf A sent.
    expect(run.serverChain.length).toBeGreaterThan(0);
    expect(uriSans(run.serverChain[0]!)).toEqual([spiffeId(A)]);
    expect(server.decisions).toEqual([{ accepted: true, peerUris: [spiffeId(B)] }]);
    expect(server.handshakeErrors).toEqual([]);
  });

  it('fails the handshake for a client certificate from another CA, even one naming the expected identity', async () => {
    const server = await startWorkloadServer(await issue(A), bundlePem, spiffeId(B));
    servers.push(server);
    const foreignCa = await opensslCa(`/O=${TRUST_DOMAIN}`);
    const forged = await opensslClientCertificate(foreignCa, `URI:${spiffeId(B)}`);
    const run = await sClient(server.port, { keyPem: forged.keyPem, chainPem: [forged.certPem, foreignCa.certPem] });
    expect(run.output).not.toContain('hello');
    // A refused it in the handshake (B's read fails), before any identity check of its own.
    expect(run.output).toMatch(/:error:/);
    expect(server.decisions).toEqual([]);
    // OpenSSL's verdict on B's lone leaf: no issuer for it in A's bundle (X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
    // "unable to verify the first certificate").
    expect(server.handshakeErrors.map((e) => e.authorizationError)).toEqual(['UNABLE_TO_VERIFY_LEAF_SIGNATURE']);
  });

  it.each([
    ['another service account in the namespace', { namespace: B.namespace, serviceAccount: 'intruder' }],
    ['the same service account name in another namespace', { namespace: 'elsewhere', serviceAccount: B.serviceAccount }],
  ])('refuses a peer whose valid tsiod certificate is for %s', async (_what, other: Identity) => {
    const server = await startWorkloadServer(await issue(A), bundlePem, spiffeId(B));
    servers.push(server);
    const run = await sClient(server.port, await issue(other));
    // The chain is good on both sides; A's own check of the identity is what refuses.
    expect(run.output).toMatch(/Verify return code: 0 \(ok\)/);
    expect(server.handshakeErrors).toEqual([]);
    expect(server.decisions).toEqual([{ accepted: false, peerUris: [spiffeId(other)] }]);
    expect(run.output).not.toContain('hello');
  });

  it('lets B refuse an A whose certificate does not chain to the bundle it trusts', async () => {
    const server = await startWorkloadServer(await issue(A), bundlePem, spiffeId(B));
    servers.push(server);
    const otherRoot = path.join(dir, 'other-root.pem');
    await writeFile(otherRoot, (await opensslCa(`/O=${TRUST_DOMAIN}`)).certPem);
    const run = await sClient(server.port, await issue(B), otherRoot);
    expect(run.output).not.toMatch(/Verify return code: 0 \(ok\)/);
    expect(run.output).toMatch(/Verify return code: [1-9]\d* /);
    expect(run.output).not.toContain('hello');
  });
});

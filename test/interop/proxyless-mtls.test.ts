/**
 * Proxyless gRPC with xDS security (gRFC A29) against tsiod, with real
 * clients: grpc-go (xDS interop client, --secure_mode), grpc-js
 * (@grpc/grpc-js-xds XdsChannelCredentials) and grpcio (C-core,
 * xds_channel_credentials).
 *
 * tsiod runs in file mode with its CA on 15012. Every workload's certificate
 * comes from that CA through CreateCertificate and is written as pilot-agent
 * writes it (cert-chain.pem, key.pem, root-cert.pem), and each client's
 * bootstrap names those files in a "file_watcher" certificate provider
 * "default", as the agent's does. A DestinationRule sets ISTIO_MUTUAL, so
 * tsiod's clusters tell the client to use that provider and which spiffe://
 * identities the server may have (Istio's grpcgen).
 *
 * The backends are grpc-js servers on 127.0.0.1 that accept only mutual TLS
 * with a client certificate from tsiod's root, and report the spiffe://
 * identity of each client they serve. So:
 *
 * - reviews (its pod runs as sa "reviews", its backend has that identity):
 *   every client gets answers, and the backend saw the client's own identity;
 * - ratings (its pod is declared to run as "ratings", but the backend
 *   presents "impostor"): every client refuses it for its SAN, and the
 *   backend serves nothing;
 * - a client whose root-cert.pem holds another CA's root refuses reviews
 *   (its certificate does not chain to that root), and reviews never serves
 *   that client's identity.
 *
 * The backends here are plain TLS servers that check the client's
 * certificate themselves, so that this suite tests the client side alone;
 * xDS-enabled gRPC servers configured by tsiod's inbound listeners are
 * proxyless-server-mtls.test.ts.
 */
import * as grpc from '@grpc/grpc-js';
import * as asn1js from 'asn1js';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningTsiod } from '../../src/cli/serve.js';
import { opensslCa } from '../ca/server/openssl.js';
import { unaryCallHostname } from '../helpers/echo-service.js';
import { LogBuffer } from '../helpers/log-buffer.js';
import { startMtlsBackend, type MtlsBackend } from '../helpers/mtls-backend.js';
import { plaintextXdsPort, startFileCaTsiodUnderTest } from '../helpers/tsiod-under-test.js';
import { certificateFilesIn, issueWorkloadCertificate, uriSans, type CaEndpoint, type IssuedWorkloadCertificate } from '../helpers/workload-certificates.js';
import {
  certificateProviderBootstrap,
  sendUntil as sendBatchesUntil,
  startXdsCredentialsClient,
  type RpcOutcome,
  type XdsCredentialsClient,
  type XdsCredentialsClientKind,
} from '../helpers/xds-credentials-clients.js';
import { whenPeersProvisioned, type InteropPeer } from './drivers/peer-guard.js';
import { writeManifests, type Manifest } from '../helpers/manifest-files.js';

const NAMESPACE = 'default';
const TRUST_DOMAIN = 'cluster.local';
const SERVICE_PORT = 9080;
const REVIEWS = 'reviews';
const RATINGS = 'ratings';
/** The identity the ratings backend really has, not the one its pod declares. */
const IMPOSTOR = 'impostor';
const RPCS_PER_SEND = 5;
const CONVERGE_WITHIN_MS = 45_000;
const SUITE_TIMEOUT_MS = 120_000;
/**
 * How each client words the two refusals, from its own source: the SAN check
 * of xDS credentials (grpc-go credentials/xds/xds.go; grpc-js-xds
 * xds-credentials.js; C-core's xDS certificate verifier), and a chain that
 * does not lead to the provider's roots (Go's x509.UnknownAuthorityError;
 * Node's and BoringSSL's verify errors, the chain ending in its own root).
 */
const REFUSALS: Readonly<Record<XdsCredentialsClientKind, { readonly sanMismatch: RegExp; readonly unknownRoot: RegExp }>> = {
  'grpc-go': { sanMismatch: /do not match any of the accepted SANs/, unknownRoot: /x509: certificate signed by unknown authority/ },
  'grpc-js': { sanMismatch: /No matching subject alternative name found in certificate/, unknownRoot: /self-signed certificate in certificate chain/ },
  grpcio: { sanMismatch: /SANs from certificate did not match SANs from xDS control plane/, unknownRoot: /CERTIFICATE_VERIFY_FAILED/ },
};

const spiffeId = (serviceAccount: string): string => `spiffe://${TRUST_DOMAIN}/ns/${NAMESPACE}/sa/${serviceAccount}`;


function service(name: string): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NAMESPACE, labels: { app: name } },
    spec: { selector: { app: name }, ports: [{ name: 'grpc', port: SERVICE_PORT, targetPort: SERVICE_PORT, protocol: 'TCP' }] },
  };
}

function pod(name: string, serviceAccount: string): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${name}-0`, namespace: NAMESPACE, labels: { app: name } },
    spec: { serviceAccountName: serviceAccount, containers: [{ name, image: 'tsiod-test/mtls-backend' }] },
    status: { phase: 'Running', podIP: '127.0.0.1', podIPs: [{ ip: '127.0.0.1' }], conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function endpointSlice(name: string, port: number): Manifest {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-0`, namespace: NAMESPACE, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    ports: [{ name: 'grpc', port, protocol: 'TCP' }],
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: `${name}-0`, namespace: NAMESPACE } }],
  };
}

function istioMutual(host: string): Manifest {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: host, namespace: NAMESPACE },
    spec: { host, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
  };
}


interface Fixture {
  readonly tsiod: RunningTsiod;
  readonly tsiodLogs: LogBuffer;
  readonly ca: CaEndpoint;
  readonly workDir: string;
  readonly rootPem: string;
  readonly reviews: MtlsBackend;
  readonly ratings: MtlsBackend;
  readonly reviewsCert: IssuedWorkloadCertificate;
}

async function waitForEndpoints(tsiod: RunningTsiod, hosts: readonly string[]): Promise<void> {
  const deadline = Date.now() + CONVERGE_WITHIN_MS;
  const fqdns = hosts.map((h) => `${h}.${NAMESPACE}.svc.cluster.local`);
  while (!fqdns.every((h) => (tsiod.snapshot().endpoints.get(h)?.length ?? 0) > 0)) {
    if (Date.now() > deadline) throw new Error(`tsiod did not load the endpoints of ${fqdns.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startFixture(): Promise<Fixture> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-proxyless-mtls-'));
  const configDir = path.join(workDir, 'config');
  const stateDir = path.join(workDir, 'state');
  await writeManifestsDir(configDir, [service(REVIEWS), pod(REVIEWS, REVIEWS), istioMutual(REVIEWS), service(RATINGS), pod(RATINGS, RATINGS), istioMutual(RATINGS)]);
  const tsiodLogs = new LogBuffer();
  // What has started so far, stopped in reverse if a later step fails.
  const started: Array<() => Promise<void>> = [];
  try {
    const { tsiod, ca } = await startFileCaTsiodUnderTest(configDir, stateDir, tsiodLogs);
    started.push(() => tsiod.close());
    const reviewsCert = await issueWorkloadCertificate(ca, NAMESPACE, REVIEWS, path.join(workDir, 'certs', REVIEWS));
    const impostorCert = await issueWorkloadCertificate(ca, NAMESPACE, IMPOSTOR, path.join(workDir, 'certs', IMPOSTOR));
    const rootPem = reviewsCert.rootPem;
    const reviews = await startMtlsBackend(REVIEWS, reviewsCert, rootPem);
    started.push(() => reviews.stop());
    const ratings = await startMtlsBackend(RATINGS, impostorCert, rootPem);
    started.push(() => ratings.stop());
    await writeManifests(configDir, [endpointSlice(REVIEWS, reviews.port), endpointSlice(RATINGS, ratings.port)]);
    await waitForEndpoints(tsiod, [REVIEWS, RATINGS]);
    return { tsiod, tsiodLogs, ca, workDir, rootPem, reviews, ratings, reviewsCert };
  } catch (error) {
    for (const stop of started.reverse()) await stop();
    await rm(workDir, { recursive: true, force: true });
    throw new Error(`proxyless mTLS fixture did not start: ${(error as Error).message}\n--- tsiod log tail ---\n${tsiodLogs.text().slice(-4_000)}`);
  }
}

async function writeManifestsDir(dir: string, manifests: readonly Manifest[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeManifests(dir, manifests);
}

/** sendBatchesUntil with this suite's batch size, patience and tsiod log. */
function sendUntil(f: Fixture, client: XdsCredentialsClient, what: string, done: (o: RpcOutcome) => boolean): Promise<RpcOutcome> {
  return sendBatchesUntil(client, what, done, { rpcsPerSend: RPCS_PER_SEND, withinMs: CONVERGE_WITHIN_MS, tsiodLog: () => f.tsiodLogs.text() });
}

const answeredBy = (o: RpcOutcome, backend: string): number => o.byBackend[backend] ?? 0;
const answered = (o: RpcOutcome): number => Object.values(o.byBackend).reduce((a, b) => a + b, 0);

/** A client's own identity, issued by tsiod, in its own directory; `foreignRootPem` replaces its root-cert.pem. */
async function clientCertificates(f: Fixture, serviceAccount: string, foreignRootPem?: string): Promise<IssuedWorkloadCertificate> {
  const dir = path.join(f.workDir, 'certs', serviceAccount);
  const issued = await issueWorkloadCertificate(f.ca, NAMESPACE, serviceAccount, dir);
  if (foreignRootPem !== undefined) await writeFile(certificateFilesIn(dir).rootCertPath, foreignRootPem);
  return issued;
}

async function withClient<T>(f: Fixture, kind: XdsCredentialsClientKind, serviceAccount: string, target: string, certs: IssuedWorkloadCertificate, use: (c: XdsCredentialsClient) => Promise<T>): Promise<T> {
  const bootstrap = certificateProviderBootstrap(
    {
      xdsPort: plaintextXdsPort(f.tsiod),
      nodeId: `sidecar~127.0.0.1~${serviceAccount}-0.${NAMESPACE}~${NAMESPACE}.svc.cluster.local`,
      namespace: NAMESPACE,
      // What pilot-agent puts in the node metadata of a proxyless app's bootstrap.
      metadata: { GENERATOR: 'grpc', SERVICE_ACCOUNT: serviceAccount },
    },
    certs,
  );
  const client = await startXdsCredentialsClient(kind, target, bootstrap);
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

const PEERS: Readonly<Record<XdsCredentialsClientKind, readonly InteropPeer[]>> = {
  'grpc-go': ['grpc-go-xds-client'],
  'grpc-js': [],
  grpcio: ['grpcio'],
};

describe('proxyless mTLS fixture', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  }, SUITE_TIMEOUT_MS);
  afterAll(async () => {
    await f?.reviews.stop();
    await f?.ratings.stop();
    await f?.tsiod.close();
    if (f) await rm(f.workDir, { recursive: true, force: true });
  });

  it("issues each backend its own identity from tsiod's root (checked by Node, not tsiod)", () => {
    const [leaf] = f.reviewsCert.chain;
    expect(leaf && uriSans(leaf)).toEqual([spiffeId(REVIEWS)]);
    expect(leaf?.verify(new X509Certificate(f.rootPem).publicKey)).toBe(true);
    expect(f.ca.trustBundlePem).toContain(f.rootPem.trim());
  });

  it('encodes the empty subject as an empty Name: BoringSSL (C-core, Envoy) refuses an empty RDN (RFC 5280: an RDN has one attribute or more)', () => {
    const [leaf] = f.reviewsCert.chain;
    const parsed = asn1js.fromBER(new Uint8Array(leaf?.raw ?? []));
    const tbs = (parsed.result as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    // TBSCertificate: [0] version, serialNumber, signature, issuer, validity, subject, ...
    const subject = tbs.valueBlock.value[5] as asn1js.Sequence;
    expect(subject.valueBlock.value).toHaveLength(0);
  });

  it('the backend refuses a TLS client with no certificate, and serves one with a tsiod certificate', async () => {
    // No client certificate: Node's TLS server ends the handshake before any RPC.
    const anonymous = new grpc.Client(`127.0.0.1:${f.reviews.port}`, grpc.credentials.createSsl(Buffer.from(f.rootPem), null, null, { checkServerIdentity: () => undefined }));
    await expect(unaryCallHostname(anonymous, 5_000)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    anonymous.close();
    const issued = await clientCertificates(f, 'fixture-check');
    const withCert = new grpc.Client(
      `127.0.0.1:${f.reviews.port}`,
      grpc.credentials.createSsl(Buffer.from(f.rootPem), await readFile(issued.keyPath), await readFile(issued.certChainPath), {
        // The backend's certificate names a spiffe:// identity, not a host: check that instead.
        checkServerIdentity: (_host, cert) => (cert.subjectaltname === `URI:${spiffeId(REVIEWS)}` ? undefined : new Error(`unexpected server ${cert.subjectaltname}`)),
      }),
    );
    expect(await unaryCallHostname(withCert, 5_000)).toBe(REVIEWS);
    withCert.close();
    expect(f.reviews.servedIdentities()).toContain(spiffeId('fixture-check'));
  });

  for (const kind of ['grpc-go', 'grpc-js', 'grpcio'] as const) {
    whenPeersProvisioned(`${kind} with xDS credentials`, PEERS[kind], () => {
      describe(`${kind} with xDS credentials`, () => {
        const self = `${kind}-client`;
        const distrusting = `${kind}-foreign-root`;

        it(`reaches reviews over mutual TLS: the backend sees ${kind}'s spiffe identity, and the client accepted the backend's`, async () => {
          const certs = await clientCertificates(f, self);
          await withClient(f, kind, self, `xds:///${REVIEWS}:${SERVICE_PORT}`, certs, async (client) => {
            const outcome = await sendUntil(f, client, 'every RPC answered by reviews', (o) => o.failures === 0 && answeredBy(o, REVIEWS) === RPCS_PER_SEND);
            expect(outcome.nacked).toEqual([]);
          });
          expect(f.reviews.servedIdentities()).toContain(spiffeId(self));
        }, SUITE_TIMEOUT_MS);

        it("refuses ratings, whose backend's certificate names another identity than its pod's service account", async () => {
          const certs = await clientCertificates(f, `${kind}-to-ratings`);
          await withClient(f, kind, `${kind}-to-ratings`, `xds:///${RATINGS}:${SERVICE_PORT}`, certs, async (client) => {
            const outcome = await sendUntil(f, client, `a refusal matching ${REFUSALS[kind].sanMismatch}`, (o) => o.samples.some((s) => REFUSALS[kind].sanMismatch.test(s)));
            expect(answered(outcome)).toBe(0);
            // The config was taken (not NACKed): the refusal is the client's SAN check.
            expect(outcome.nacked).toEqual([]);
          });
          expect(f.ratings.servedIdentities()).toEqual([]);
        }, SUITE_TIMEOUT_MS);

        it("with another CA's root in root-cert.pem, reaches nothing: reviews never serves it", async () => {
          const foreign = await opensslCa('/O=another.mesh');
          const certs = await clientCertificates(f, distrusting, foreign.certPem);
          await withClient(f, kind, distrusting, `xds:///${REVIEWS}:${SERVICE_PORT}`, certs, async (client) => {
            const outcome = await sendUntil(f, client, `a refusal matching ${REFUSALS[kind].unknownRoot}`, (o) => o.samples.some((s) => REFUSALS[kind].unknownRoot.test(s)));
            expect(answered(outcome)).toBe(0);
            expect(outcome.nacked).toEqual([]);
          });
          expect(f.reviews.servedIdentities()).not.toContain(spiffeId(distrusting));
        }, SUITE_TIMEOUT_MS);
      });
    });
  }
});

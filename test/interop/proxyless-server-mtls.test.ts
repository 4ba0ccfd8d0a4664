/**
 * xDS-enabled gRPC servers (gRFC A36) under tsiod, with a real server
 * library: @grpc/grpc-js-xds's XdsServer with XdsServerCredentials on
 * 127.0.0.1, whose bootstrap is the one `tsiod bootstrap --proxy grpc`
 * writes (server_listener_resource_name_template and the "file_watcher"
 * certificate provider over a certificate directory, as pilot-agent's).
 * The server asks tsiod for "xds.istio.io/grpc/lds/inbound/127.0.0.1:<port>"
 * and serves nothing until it accepts the answer.
 *
 * tsiod runs in file mode with its CA; every certificate comes from that CA
 * (CreateCertificate), and Node's TLS, not tsiod, says who presented what.
 * A PeerAuthentication makes the namespace STRICT, so the listener carries
 * a DownstreamTlsContext requiring a client certificate, which is what the
 * server then enforces by itself:
 *
 * - a plaintext client, and a TLS client without a certificate, are refused;
 * - a TLS client with a tsiod certificate is served, and the server saw
 *   its spiffe:// identity; the server presented its own workload
 *   identity, read from the certificate directory;
 * - proxyless clients with xDS credentials (grpc-js, grpc-go --secure_mode)
 *   reach it over xds:/// through a DestinationRule ISTIO_MUTUAL;
 * - after an AuthorizationPolicy DENY for one client's principal, that
 *   client's RPCs fail with PERMISSION_DENIED (the server's RBAC filter,
 *   gRFC A41) while another client is still served.
 *
 * No grpc-go server: its xDS interop server (v1.64.1) listens on every
 * address, and these suites run servers on 127.0.0.1 only.
 */
import * as grpc from '@grpc/grpc-js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcBootstrap } from '../../src/cli/grpc-bootstrap.js';
import type { RunningTsiod } from '../../src/cli/serve.js';
import { unaryCallHostname } from '../helpers/echo-service.js';
import { freeLoopbackPort, startGrpcJsXdsServer, type XdsTestServer } from '../helpers/grpc-js-xds-server.js';
import { LogBuffer } from '../helpers/log-buffer.js';
import { plaintextXdsPort, startFileCaTsiodUnderTest } from '../helpers/tsiod-under-test.js';
import { issueWorkloadCertificate, type CaEndpoint, type IssuedWorkloadCertificate } from '../helpers/workload-certificates.js';
import { certificateProviderBootstrap, sendUntil as sendBatchesUntil, startXdsCredentialsClient, type RpcOutcome, type XdsCredentialsClient, type XdsCredentialsClientKind } from '../helpers/xds-credentials-clients.js';
import { whenPeersProvisioned, type InteropPeer } from './drivers/peer-guard.js';
import { writeManifests, type Manifest } from '../helpers/manifest-files.js';

const NAMESPACE = 'default';
const TRUST_DOMAIN = 'cluster.local';
const SERVER = 'echo-server';
const SERVICE_PORT = 9080;
const RPC_DEADLINE_MS = 5_000;
const RPCS_PER_SEND = 5;
const CONVERGE_WITHIN_MS = 45_000;
const SUITE_TIMEOUT_MS = 120_000;

const spiffeId = (serviceAccount: string): string => `spiffe://${TRUST_DOMAIN}/ns/${NAMESPACE}/sa/${serviceAccount}`;


function manifests(serverPort: number): Manifest[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SERVER, namespace: NAMESPACE, labels: { app: SERVER } },
      spec: { selector: { app: SERVER }, ports: [{ name: 'grpc', port: SERVICE_PORT, targetPort: serverPort, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${SERVER}-0`, namespace: NAMESPACE, labels: { app: SERVER } },
      spec: { serviceAccountName: SERVER, containers: [{ name: SERVER, image: 'tsiod-test/grpc-js-xds-server' }] },
      status: { phase: 'Running', podIP: '127.0.0.1', podIPs: [{ ip: '127.0.0.1' }], conditions: [{ type: 'Ready', status: 'True' }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${SERVER}-0`, namespace: NAMESPACE, labels: { 'kubernetes.io/service-name': SERVER } },
      addressType: 'IPv4',
      ports: [{ name: 'grpc', port: serverPort, protocol: 'TCP' }],
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: `${SERVER}-0`, namespace: NAMESPACE } }],
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: NAMESPACE },
      spec: { mtls: { mode: 'STRICT' } },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: SERVER, namespace: NAMESPACE },
      spec: { host: SERVER, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
    },
  ];
}

function denyPolicy(serviceAccount: string): Manifest {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: `deny-${serviceAccount}`, namespace: NAMESPACE },
    spec: { selector: { matchLabels: { app: SERVER } }, action: 'DENY', rules: [{ from: [{ source: { principals: [`${TRUST_DOMAIN}/ns/${NAMESPACE}/sa/${serviceAccount}`] } }] }] },
  };
}


interface Fixture {
  readonly tsiod: RunningTsiod;
  readonly tsiodLogs: LogBuffer;
  readonly ca: CaEndpoint;
  readonly workDir: string;
  readonly configDir: string;
  readonly rootPem: string;
  readonly server: XdsTestServer;
}

async function startFixture(): Promise<Fixture> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-proxyless-server-'));
  const configDir = path.join(workDir, 'config');
  const stateDir = path.join(workDir, 'state');
  const serverPort = await freeLoopbackPort();
  await writeManifests(configDir, manifests(serverPort));
  const tsiodLogs = new LogBuffer();
  const started: Array<() => Promise<void>> = [];
  try {
    const { tsiod, ca } = await startFileCaTsiodUnderTest(configDir, stateDir, tsiodLogs);
    started.push(() => tsiod.close());
    const certDir = path.join(workDir, 'certs', SERVER);
    const serverCert = await issueWorkloadCertificate(ca, NAMESPACE, SERVER, certDir);
    // What `tsiod bootstrap --proxy grpc --cert-dir <dir> --labels app=echo-server` prints.
    const bootstrap = grpcBootstrap({
      xdsAddress: `127.0.0.1:${plaintextXdsPort(tsiod)}`,
      namespace: NAMESPACE,
      nodeId: `sidecar~127.0.0.1~${SERVER}-0.${NAMESPACE}~${NAMESPACE}.svc.cluster.local`,
      certDir,
      labels: { app: SERVER },
    });
    const server = await startGrpcJsXdsServer(SERVER, serverPort, bootstrap, CONVERGE_WITHIN_MS);
    started.push(() => server.stop());
    return { tsiod, tsiodLogs, ca, workDir, configDir, rootPem: serverCert.rootPem, server };
  } catch (error) {
    for (const stop of started.reverse()) await stop();
    await rm(workDir, { recursive: true, force: true });
    throw new Error(`proxyless server fixture did not start: ${(error as Error).message}\n--- tsiod log tail ---\n${tsiodLogs.text().slice(-4_000)}`);
  }
}

async function clientCertificates(f: Fixture, serviceAccount: string): Promise<IssuedWorkloadCertificate> {
  return issueWorkloadCertificate(f.ca, NAMESPACE, serviceAccount, path.join(f.workDir, 'certs', serviceAccount));
}

/** The server's certificate must name the server's workload identity: what its certificate directory holds. */
function checkServerIsEchoServer(_host: string, cert: { subjectaltname?: string }): Error | undefined {
  return cert.subjectaltname === `URI:${spiffeId(SERVER)}` ? undefined : new Error(`unexpected server identity ${cert.subjectaltname}`);
}

async function tlsClient(f: Fixture, certs?: IssuedWorkloadCertificate): Promise<grpc.Client> {
  const credentials = certs
    ? grpc.credentials.createSsl(Buffer.from(f.rootPem), await readFile(certs.keyPath), await readFile(certs.certChainPath), { checkServerIdentity: checkServerIsEchoServer })
    : grpc.credentials.createSsl(Buffer.from(f.rootPem), null, null, { checkServerIdentity: checkServerIsEchoServer });
  return new grpc.Client(`127.0.0.1:${f.server.port}`, credentials);
}

/** Calls until one call ends in `code`; throws with the last outcome when none does in time. */
async function callUntilStatus(f: Fixture, client: grpc.Client, code: grpc.status): Promise<void> {
  const deadline = Date.now() + CONVERGE_WITHIN_MS;
  let last = '';
  while (Date.now() < deadline) {
    try {
      last = `answered by ${await unaryCallHostname(client, RPC_DEADLINE_MS)}`;
    } catch (error) {
      const e = error as grpc.ServiceError;
      if (e.code === code) return;
      last = `${grpc.status[e.code]}: ${e.details}`;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no ${grpc.status[code]} within ${CONVERGE_WITHIN_MS} ms; last: ${last}\n--- tsiod log tail ---\n${f.tsiodLogs.text().slice(-4_000)}`);
}

/** sendBatchesUntil with this suite's batch size, patience and tsiod log. */
function sendUntil(f: Fixture, client: XdsCredentialsClient, what: string, done: (o: RpcOutcome) => boolean): Promise<RpcOutcome> {
  return sendBatchesUntil(client, what, done, { rpcsPerSend: RPCS_PER_SEND, withinMs: CONVERGE_WITHIN_MS, tsiodLog: () => f.tsiodLogs.text() });
}

const PEERS: Readonly<Record<Exclude<XdsCredentialsClientKind, 'grpcio'>, readonly InteropPeer[]>> = {
  'grpc-js': [],
  'grpc-go': ['grpc-go-xds-client'],
};

describe('a grpc-js xDS server under tsiod with PeerAuthentication STRICT', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  }, SUITE_TIMEOUT_MS);
  afterAll(async () => {
    await f?.server.stop();
    await f?.tsiod.close();
    if (f) await rm(f.workDir, { recursive: true, force: true });
  });

  it('refuses a plaintext client', async () => {
    const plaintext = new grpc.Client(`127.0.0.1:${f.server.port}`, grpc.credentials.createInsecure());
    await expect(unaryCallHostname(plaintext, RPC_DEADLINE_MS)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    plaintext.close();
  });

  it('refuses a TLS client without a client certificate', async () => {
    const anonymous = await tlsClient(f);
    await expect(unaryCallHostname(anonymous, RPC_DEADLINE_MS)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    anonymous.close();
  });

  it("serves a TLS client with a tsiod certificate, presenting its own workload identity, and sees the client's", async () => {
    const client = await tlsClient(f, await clientCertificates(f, 'direct-client'));
    expect(await unaryCallHostname(client, RPC_DEADLINE_MS)).toBe(SERVER);
    client.close();
    expect(f.server.servedIdentities()).toContain(spiffeId('direct-client'));
    expect(f.server.servedIdentities()).not.toContain('(none)');
  });

  for (const kind of ['grpc-js', 'grpc-go'] as const) {
    whenPeersProvisioned(`${kind} with xDS credentials to the xDS server`, PEERS[kind], () => {
      it(`${kind} with xDS credentials reaches it over xds:/// with mutual TLS`, async () => {
        const self = `${kind}-client`;
        const certs = await clientCertificates(f, self);
        const bootstrap = certificateProviderBootstrap(
          {
            xdsPort: plaintextXdsPort(f.tsiod),
            nodeId: `sidecar~127.0.0.1~${self}-0.${NAMESPACE}~${NAMESPACE}.svc.cluster.local`,
            namespace: NAMESPACE,
            metadata: { GENERATOR: 'grpc', SERVICE_ACCOUNT: self },
          },
          certs,
        );
        const client = await startXdsCredentialsClient(kind, `xds:///${SERVER}:${SERVICE_PORT}`, bootstrap);
        try {
          const outcome = await sendUntil(f, client, 'every RPC answered by the server', (o) => o.failures === 0 && (o.byBackend[SERVER] ?? 0) === RPCS_PER_SEND);
          expect(outcome.nacked).toEqual([]);
        } finally {
          await client.close();
        }
        expect(f.server.servedIdentities()).toContain(spiffeId(self));
      }, SUITE_TIMEOUT_MS);
    });
  }

  it('with an AuthorizationPolicy DENY for one principal, answers that client PERMISSION_DENIED and still serves another', async () => {
    const denied = await tlsClient(f, await clientCertificates(f, 'denied-client'));
    const allowed = await tlsClient(f, await clientCertificates(f, 'allowed-client'));
    try {
      expect(await unaryCallHostname(denied, RPC_DEADLINE_MS)).toBe(SERVER);
      await writeManifests(f.configDir, [denyPolicy('denied-client')]);
      await callUntilStatus(f, denied, grpc.status.PERMISSION_DENIED);
      expect(await unaryCallHostname(allowed, RPC_DEADLINE_MS)).toBe(SERVER);
    } finally {
      denied.close();
      allowed.close();
    }
  }, SUITE_TIMEOUT_MS);
});

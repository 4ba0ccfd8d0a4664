/**
 * istio's own agent, pilot-agent (built unmodified from istio.io/istio by
 * scripts/peers/go-peers.sh), run against tsiod as istio's grpc-agent.yaml
 * runs it beside a proxyless gRPC app (test/helpers/pilot-agent.ts says how):
 *
 * 1. It authenticates to tsiod's 15012 with a service-account token the real
 *    kube-apiserver issued for audience istio-ca (TokenRequest, as a pod's
 *    projected istio-token volume), and CreateCertificate gives it a chain that
 *    verifies to the root in ConfigMap istio-ca-root-cert and names
 *    spiffe://cluster.local/ns/<ns>/sa/<sa>, for the lifetime it asked.
 * 2. It proxies xDS: a grpc-js client given the bootstrap the agent wrote
 *    reaches a Service through the agent's socket, tsiod's 15012 behind it.
 * 3. Refusals it meets unmodified: a token for another audience gets no
 *    certificate (Unauthenticated), and an agent claiming a namespace its
 *    token does not carry gets a certificate for the token's identity only and
 *    its xDS stream ends in PermissionDenied.
 *
 * Expectations come from Istio (its CA API, security/pkg/server/ca; the
 * agent's files, pkg/istio-agent) and are checked with Node's
 * X509Certificate and the openssl CLI, never with tsiod's own code.
 */
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { protoIncludeDirs } from '../../src/xds/proto/envoy-protos.js';
import { startEchoBackends, type EchoBackends } from '../helpers/echo-backends.js';
import { unaryCallHostname } from '../helpers/echo-service.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../helpers/kube-env.js';
import { startPilotAgent, type PilotAgent, type PilotAgentOptions, type WrittenCertificates } from '../helpers/pilot-agent.js';
import { startSecureTsiodUnderTest, type SecureTsiodUnderTest } from '../helpers/tsiod-under-test.js';
import { whenPeersProvisioned } from './drivers/peer-guard.js';
import { installCrds, waitFor } from './kubernetes/cluster.js';

const NAMESPACE = 'echo-app';
const SERVICE_ACCOUNT = 'echo-client';
const OTHER_NAMESPACE = 'not-echo-app';
const TRUST_DOMAIN = 'cluster.local';
/** Istio's CA audience: the projected istio-token is requested for it (grpc-agent.yaml's sds.token.aud). */
const ISTIO_CA_AUDIENCE = 'istio-ca';
const SERVICE = 'echo';
const SERVICE_PORT = 7070;
const BACKEND = 'echo-0';
/** The lifetime the agent asks for (its SECRET_TTL), shorter than the CA's 24 h default so honouring it shows. */
const SECRET_TTL_SECONDS = 3600;
/** Clock and scheduling slack for the certificate lifetime check (istiod also backdates NotBefore by 2 min). */
const LIFETIME_SLACK_MS = 5 * 60_000;
const CERT_WITHIN_MS = 30_000;
const TRAFFIC_WITHIN_MS = 30_000;
const WORKLOAD_ENTRY = { group: 'networking.istio.io', version: 'v1', plural: 'workloadentries' } as const;

async function requestToken(kubeConfig: KubeConfig, namespace: string, serviceAccount: string, audience: string): Promise<string> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const answer = await core.createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace,
    body: { spec: { audiences: [audience], expirationSeconds: 3600 } },
  });
  const token = answer.status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${serviceAccount} (audience ${audience}) returned no token`);
  return token;
}

/** The trust bundle tsiod publishes for pods to mount (ConfigMap istio-ca-root-cert, key root-cert.pem). */
async function rootCertOf(kubeConfig: KubeConfig, namespace: string): Promise<string> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  let pem: string | undefined;
  await waitFor(`ConfigMap istio-ca-root-cert in ${namespace}`, async () => {
    pem = await core
      .readNamespacedConfigMap({ name: 'istio-ca-root-cert', namespace })
      .then((cm) => cm.data?.['root-cert.pem'])
      .catch(() => undefined);
    return pem !== undefined;
  }, 30_000);
  return pem ?? '';
}

async function createWorkloads(kubeConfig: KubeConfig, backends: EchoBackends): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  // istio-system: where tsiod runs, keeps its CA Secret and takes the Lease to create the root.
  for (const name of ['istio-system', NAMESPACE, OTHER_NAMESPACE]) await core.createNamespace({ body: { metadata: { name } } });
  await core.createNamespacedServiceAccount({ namespace: NAMESPACE, body: { metadata: { name: SERVICE_ACCOUNT } } });
  await core.createNamespacedService({
    namespace: NAMESPACE,
    body: {
      metadata: { name: SERVICE, labels: { app: SERVICE } },
      spec: { selector: { app: SERVICE }, ports: [{ name: 'grpc', port: SERVICE_PORT, targetPort: 'grpc', protocol: 'TCP' }] },
    },
  });
  // A WorkloadEntry, not an EndpointSlice: kube-apiserver refuses loopback endpoint addresses, and traffic stays on 127.0.0.1.
  await custom.createNamespacedCustomObject({
    ...WORKLOAD_ENTRY,
    namespace: NAMESPACE,
    body: {
      apiVersion: `${WORKLOAD_ENTRY.group}/${WORKLOAD_ENTRY.version}`,
      kind: 'WorkloadEntry',
      metadata: { name: BACKEND },
      spec: { address: '127.0.0.1', ports: { grpc: backends.portOf(BACKEND) }, labels: { app: SERVICE } },
    },
  });
}

function spiffeId(namespace: string, serviceAccount: string): string {
  return `spiffe://${TRUST_DOMAIN}/ns/${namespace}/sa/${serviceAccount}`;
}

function uriSans(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter((san) => san.startsWith('URI:'))
    .map((san) => san.slice('URI:'.length));
}

function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** `openssl verify` of the leaf against the bundle, the rest of the chain as untrusted intermediates. */
async function opensslVerify(certs: WrittenCertificates, bundlePem: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-pa-verify-'));
  try {
    const [leaf, ...rest] = splitPem(certs.chainPem);
    await writeFile(path.join(dir, 'leaf.pem'), `${leaf}\n`);
    await writeFile(path.join(dir, 'untrusted.pem'), rest.length > 0 ? `${rest.join('\n')}\n` : '');
    await writeFile(path.join(dir, 'bundle.pem'), bundlePem);
    const args = ['verify', '-CAfile', path.join(dir, 'bundle.pem')];
    if (rest.length > 0) args.push('-untrusted', path.join(dir, 'untrusted.pem'));
    return execFileSync('openssl', [...args, path.join(dir, 'leaf.pem')], { encoding: 'utf8' }).trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A JSON value as a google.protobuf.Value in proto-loader's object form
 * (protobufjs's own well-known types: camelCase field names, whatever keepCase says).
 */
function protoValue(value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(protoValue) } };
  return { structValue: protoStruct(value as Record<string, unknown>) };
}

function protoStruct(object: Record<string, unknown>): { fields: Record<string, unknown> } {
  return { fields: Object.fromEntries(Object.entries(object).map(([k, v]) => [k, protoValue(v)])) };
}

interface AdsClient extends grpc.Client {
  StreamAggregatedResources(): grpc.ClientDuplexStream<Record<string, unknown>, { type_url: string }>;
}

/**
 * Opens ADS on the agent's socket as its app would (the node from the
 * bootstrap it wrote), asks for the Service's listener, and resolves with how
 * the stream ended, or with "response" if an answer came instead.
 */
async function adsOutcomeThroughAgent(agent: PilotAgent, listenerName: string): Promise<{ code: grpc.status; details: string } | 'response'> {
  const definition = protoLoader.loadSync('envoy/service/discovery/v3/ads.proto', {
    includeDirs: protoIncludeDirs(), keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    envoy: { service: { discovery: { v3: { AggregatedDiscoveryService: new (target: string, creds: grpc.ChannelCredentials) => AdsClient } } } };
  };
  const bootstrap = JSON.parse(await readFile(agent.grpcBootstrapPath, 'utf8')) as { node: { id: string; metadata: Record<string, unknown> } };
  const client = new pkg.envoy.service.discovery.v3.AggregatedDiscoveryService(`unix:${agent.xdsSocketPath}`, grpc.credentials.createInsecure());
  try {
    return await new Promise((resolve) => {
      const stream = client.StreamAggregatedResources();
      stream.on('data', () => {
        resolve('response');
        stream.cancel();
      });
      stream.on('error', (error: grpc.ServiceError) => resolve({ code: error.code, details: error.details }));
      stream.write({
        node: { id: bootstrap.node.id, metadata: protoStruct(bootstrap.node.metadata), user_agent_name: 'tsiod-interop-ads' },
        type_url: 'type.googleapis.com/envoy.config.listener.v3.Listener',
        resource_names: [listenerName],
      });
    });
  } finally {
    client.close();
  }
}

const suiteName = "istio's pilot-agent (proxyless gRPC) against tsiod";
whenKubeEnvAvailable(suiteName, () =>
  whenPeersProvisioned(suiteName, ['pilot-agent'], () => {
    describe(suiteName, () => {
      let env: KubeEnv | undefined;
      let backends: EchoBackends | undefined;
      let tsiod: SecureTsiodUnderTest | undefined;
      /** Why the tsiod half cannot run yet (15012 not wired into startTsiod), or undefined. */
      const agents: PilotAgent[] = [];
      let grpcClient: grpc.Client | undefined;

      /** Starts one more agent against tsiod's 15012 with a token from the test apiserver. */
      async function startAgent(o: { token: string; namespace?: string; podName: string }): Promise<PilotAgent> {
        if (!env || !tsiod) throw new Error('suite setup did not complete');
        const options: PilotAgentOptions = {
          discoveryAddress: `127.0.0.1:${tsiod.securePort}`,
          istiodSan: tsiod.istiodSan,
          rootCertPem: await rootCertOf(env.kubeConfig, o.namespace ?? NAMESPACE),
          token: o.token,
          namespace: o.namespace ?? NAMESPACE,
          serviceAccount: SERVICE_ACCOUNT,
          podName: o.podName,
          trustDomain: TRUST_DOMAIN,
          secretTtl: `${SECRET_TTL_SECONDS}s`,
        };
        const agent = await startPilotAgent(options);
        agents.push(agent);
        return agent;
      }

      function ready(): { env: KubeEnv; tsiod: SecureTsiodUnderTest } {
        if (!env || !tsiod) throw new Error('suite setup did not complete');
        return { env, tsiod };
      }

      beforeAll(async () => {
        env = await startKubeEnv();
        backends = await startEchoBackends([BACKEND]);
        await installCrds(env.kubeConfig, WORKLOAD_ENTRY.group);
        await createWorkloads(env.kubeConfig, backends);
        tsiod = await startSecureTsiodUnderTest(env.kubeconfigPath);
      }, 180_000);

      afterEach((context) => {
        if (context.task.result?.state !== 'fail') return;
        const parts = agents.map((a, i) => `---- pilot-agent #${i + 1} (${a.exitReason() ?? 'running'}) ----\n${a.logs.text().slice(-8_000)}`);
        if (tsiod) parts.push(`---- tsiod log ----\n${tsiod.logs.text().slice(-8_000)}`);
        if (env) parts.push(env.logs());
        console.error(parts.join('\n'));
      });

      afterAll(async () => {
        grpcClient?.close();
        await Promise.all(agents.map((a) => a.stop()));
        await tsiod?.tsiod.close();
        await backends?.stop();
        await env?.stop();
      }, 60_000);

      it('authenticates with its istio-ca token and gets a chain that verifies to the published root and names its SPIFFE identity', async () => {
        const { env: kube } = ready();
        const askedAt = Date.now();
        const agent = await startAgent({ token: await requestToken(kube.kubeConfig, NAMESPACE, SERVICE_ACCOUNT, ISTIO_CA_AUDIENCE), podName: 'echo-client-0' });
        const certs = await agent.waitForCertificates(CERT_WITHIN_MS);
        const bundlePem = await rootCertOf(kube.kubeConfig, NAMESPACE);
        const bundle = splitPem(bundlePem).map((pem) => new X509Certificate(pem));
        expect(bundle.length, 'istio-ca-root-cert holds at least one root').toBeGreaterThan(0);

        const [leaf, ...rest] = certs.chain;
        if (!leaf) throw new Error('cert-chain.pem holds no certificate');
        expect(uriSans(leaf)).toEqual([spiffeId(NAMESPACE, SERVICE_ACCOUNT)]);
        expect(leaf.ca).toBe(false);
        // Each certificate is signed by the next; the last by a root of the published bundle.
        for (const [i, cert] of certs.chain.entries()) {
          const issuer = certs.chain[i + 1];
          if (issuer) expect(cert.verify(issuer.publicKey), `chain[${i}] signed by chain[${i + 1}]`).toBe(true);
        }
        const top = rest.at(-1) ?? leaf;
        expect(bundle.some((root) => top.verify(root.publicKey)), 'the chain ends at a root of istio-ca-root-cert').toBe(true);
        expect(await opensslVerify(certs, bundlePem)).toMatch(/: OK$/);

        // The agent takes the root from the CA's answer (its last element): it must be the published one.
        const written = splitPem(certs.rootCertPem).map((pem) => new X509Certificate(pem).fingerprint256);
        expect(written.length).toBeGreaterThan(0);
        expect(bundle.map((root) => root.fingerprint256)).toEqual(expect.arrayContaining(written));

        // The leaf is for the key the agent made (never printed).
        expect(leaf.checkPrivateKey(createPrivateKey(await readFile(certs.keyPath)))).toBe(true);

        // Istio honours the lifetime the agent asks for (ValidityDuration = SECRET_TTL).
        const notAfter = new Date(leaf.validTo).getTime();
        expect(notAfter).toBeGreaterThan(askedAt + SECRET_TTL_SECONDS * 1000 - LIFETIME_SLACK_MS);
        expect(notAfter).toBeLessThan(Date.now() + SECRET_TTL_SECONDS * 1000 + LIFETIME_SLACK_MS);
      }, 60_000);

      it('proxies xDS: a grpc-js client given the bootstrap it wrote reaches the Service through tsiod', async () => {
        const { env: kube, tsiod: server } = ready();
        const agent = agents[0] ?? (await startAgent({ token: await requestToken(kube.kubeConfig, NAMESPACE, SERVICE_ACCOUNT, ISTIO_CA_AUDIENCE), podName: 'echo-client-0' }));
        const bootstrap = JSON.parse(await readFile(agent.grpcBootstrapPath, 'utf8')) as {
          xds_servers: Array<{ server_uri: string }>;
          node: { metadata: Record<string, unknown> };
        };
        // What istio-agent writes for a proxyless app: its own socket as the xDS server, GENERATOR=grpc.
        expect(bootstrap.xds_servers[0]?.server_uri).toBe(`unix:///${agent.xdsSocketPath}`);
        expect(bootstrap.node.metadata).toMatchObject({ GENERATOR: 'grpc', NAMESPACE, SERVICE_ACCOUNT });

        // grpc-js-xds reads its bootstrap once per process; vitest runs each file in its own.
        delete process.env['GRPC_XDS_BOOTSTRAP_CONFIG'];
        process.env['GRPC_XDS_BOOTSTRAP'] = agent.grpcBootstrapPath;
        const xds = await import('@grpc/grpc-js-xds');
        xds.register();
        const client = new grpc.Client(`xds:///${SERVICE}.${NAMESPACE}.svc.cluster.local:${SERVICE_PORT}`, grpc.credentials.createInsecure());
        grpcClient = client;
        let answeredBy: string | undefined;
        let lastError = '';
        await waitFor(
          `an RPC answered by ${BACKEND}`,
          async () => {
            answeredBy = await unaryCallHostname(client, 2_000).catch((error: Error) => {
              lastError = error.message;
              return undefined;
            });
            return answeredBy !== undefined;
          },
          TRAFFIC_WITHIN_MS,
          () => `last RPC error: ${lastError}`,
        );
        expect(answeredBy).toBe(BACKEND);
        // The configuration came through the agent's upstream stream to tsiod's 15012, not around it.
        await agent.waitForLog(new RegExp(`connected to upstream XDS server: 127\\.0\\.0\\.1:${server.securePort}`), 5_000);
      }, 60_000);

      it('gets no certificate for a token of another audience: CreateCertificate answers Unauthenticated', async () => {
        const { env: kube } = ready();
        const agent = await startAgent({ token: await requestToken(kube.kubeConfig, NAMESPACE, SERVICE_ACCOUNT, 'not-istio-ca'), podName: 'echo-client-wrong-audience' });
        // istio's citadel client logs each refused CreateCertificate ("failed to sign CSR: create certificate: rpc error: ...").
        const line = await agent.waitForLog(/failed to sign CSR/, CERT_WITHIN_MS);
        expect(line).toMatch(/code = Unauthenticated/);
        await expect(agent.waitForCertificates(0)).rejects.toThrow(/no certificate files/);
      }, 60_000);

      it('claiming a namespace its token does not carry: the certificate names the token identity, and xDS is PermissionDenied', async () => {
        const { env: kube } = ready();
        const agent = await startAgent({
          token: await requestToken(kube.kubeConfig, NAMESPACE, SERVICE_ACCOUNT, ISTIO_CA_AUDIENCE),
          namespace: OTHER_NAMESPACE,
          podName: 'echo-client-impostor',
        });
        // Istio signs for the authenticated identity only: the CSR's SAN (the claimed namespace) is ignored.
        const certs = await agent.waitForCertificates(CERT_WITHIN_MS);
        expect(uriSans(certs.chain[0]!)).toEqual([spiffeId(NAMESPACE, SERVICE_ACCOUNT)]);

        const outcome = await adsOutcomeThroughAgent(agent, `${SERVICE}.${NAMESPACE}.svc.cluster.local:${SERVICE_PORT}`);
        expect(outcome).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
      }, 60_000);

      // Runs last: by now tsiod has signed CSRs, refused tokens and served xDS to real agents.
      it('leaves no private key in tsiod\'s logs or debug endpoints', async () => {
        const { tsiod: server } = ready();
        const port = server.tsiod.monitoringPort;
        if (port === null) throw new Error('tsiod was started without a monitoring port');
        const views = ['/debug/syncz', '/debug/certz', '/debug/configz', '/debug/registryz', '/debug/endpointz', '/metrics'];
        const bodies = await Promise.all(views.map(async (view) => {
          const response = await fetch(`http://127.0.0.1:${port}${view}`);
          expect(response.status, view).toBe(200);
          return response.text();
        }));
        expect(server.logs.text()).toMatch(/CA ready/);
        for (const text of [server.logs.text(), ...bodies]) expect(text).not.toMatch(/PRIVATE KEY|BEGIN EC|BEGIN RSA/);
      }, 30_000);
    });
  }),
);

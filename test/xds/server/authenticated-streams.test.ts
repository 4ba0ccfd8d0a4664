/**
 * Authenticated xDS, as istiod's 15012 behaves (pilot/pkg/xds/ads.go and
 * auth.go): a stream authenticates when it opens, a failure is
 * UNAUTHENTICATED, a node that is not the authenticated identity's is
 * PERMISSION_DENIED (checkConnectionIdentity), and secrets go only to
 * authenticated streams, each its own. One XdsServer serves a plaintext port
 * (no authentication, no secrets) and a TLS port beside it.
 *
 * The TLS is real (certificates from tsiod's CA); the authenticator here reads
 * a test header so each test decides who a stream is and when that is known.
 */
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { VerifiedIdentity } from '../../../src/model/proxy.js';
import { fullPush } from '../../../src/push/push-request.js';
import { createSdsGenerator } from '../../../src/xds/gen/sds/sds-generator.js';
import type { WorkloadSecret, WorkloadSecretProvider } from '../../../src/xds/gen/sds/workload-secret-provider.js';
import { typeForUrl } from '../../../src/xds/proto/envoy-protos.js';
import { ClusterType, ListenerType, SecretType } from '../../../src/xds/proto/type-urls.js';
import { XdsAuthenticationError, type XdsStreamCall } from '../../../src/xds/server/stream-authentication.js';
import { XdsServer } from '../../../src/xds/server/xds-server.js';
import { AdsTestClient, resourceName } from './support/ads-test-client.js';
import { fixtureGenerators, fixtureSnapshot } from './support/fixture-mesh.js';
import { createMeshTls, type MeshTls } from './support/mesh-tls.js';

const A = 'a.default.svc.cluster.local';
const IDENTITY_HEADER = 'x-test-identity';

/** A node as pilot-agent sends it: Istio's id, NAMESPACE and (optionally) SERVICE_ACCOUNT metadata. */
function node(namespace: string, extra: { idNamespace?: string; serviceAccount?: string; type?: 'sidecar' | 'router' } = {}) {
  const idNamespace = extra.idNamespace ?? namespace;
  const fields: Record<string, { stringValue: string }> = { NAMESPACE: { stringValue: namespace } };
  if (extra.serviceAccount) fields['SERVICE_ACCOUNT'] = { stringValue: extra.serviceAccount };
  return { id: `${extra.type ?? 'sidecar'}~10.0.0.1~pod-1.${idNamespace}~${idNamespace}.svc.cluster.local`, user_agent_name: 'envoy', metadata: { fields } };
}

/** A node id only, namespace taken from it (no NAMESPACE metadata). */
function nodeFromIdOnly(namespace: string) {
  return { id: `sidecar~10.0.0.1~pod-1.${namespace}~${namespace}.svc.cluster.local`, user_agent_name: 'envoy' };
}

function decodeSecret(any: { type_url: string; value: Buffer }): Record<string, unknown> {
  const type = typeForUrl(any.type_url);
  return type.toObject(type.decode(any.value), { bytes: String }) as Record<string, unknown>;
}

/** In-memory secrets per identity, changed by the tests. */
class TestSecrets implements WorkloadSecretProvider {
  readonly secrets = new Map<string, WorkloadSecret>();
  bundle: readonly string[] = ['-----BEGIN CERTIFICATE-----\nroot-1\n-----END CERTIFICATE-----\n'];
  set(ns: string, sa: string, version: number): void {
    this.secrets.set(`${ns}/${sa}`, {
      certChainPem: `-----BEGIN CERTIFICATE-----\n${ns}-${sa}-v${version}\n-----END CERTIFICATE-----\n`,
      privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${ns}-${sa}-key-v${version}\n-----END PRIVATE KEY-----\n`,
    });
  }
  workloadSecret(ns: string, sa: string): WorkloadSecret | undefined {
    return this.secrets.get(`${ns}/${sa}`);
  }
  trustBundlePem(): readonly string[] {
    return this.bundle;
  }
}

interface Harness {
  readonly server: XdsServer;
  readonly plaintext: AdsTestClient;
  readonly tls: AdsTestClient;
  readonly secrets: TestSecrets;
  readonly authenticateCalls: number[];
  /** Authentications waiting for the test to settle them, by stream header value. */
  readonly held: Map<string, { resolve: (id: VerifiedIdentity) => void; reject: (e: Error) => void }>;
  readonly opened: string[];
  readonly closed: string[];
  withIdentity(value: string): grpc.Metadata;
}

let tlsMaterial: MeshTls;
beforeAll(async () => {
  tlsMaterial = await createMeshTls();
});

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/**
 * The test authenticator: "ns/sa" authenticates as that identity, "reject:<why>"
 * rejects, "none" finds no credentials, "hold:<name>" waits for the test.
 */
async function start(): Promise<Harness> {
  const secrets = new TestSecrets();
  const authenticateCalls: number[] = [];
  const held: Harness['held'] = new Map();
  const opened: string[] = [];
  const closed: string[] = [];
  const authenticate = (call: XdsStreamCall): Promise<VerifiedIdentity | undefined> => {
    authenticateCalls.push(1);
    const value = String(call.metadata.get(IDENTITY_HEADER)[0] ?? 'none');
    if (value === 'none') return Promise.resolve(undefined);
    if (value.startsWith('reject:')) return Promise.reject(new XdsAuthenticationError(value.slice('reject:'.length)));
    if (value.startsWith('hold:')) return new Promise((resolve, reject) => held.set(value.slice('hold:'.length), { resolve, reject }));
    const [namespace = '', serviceAccount = ''] = value.split('/');
    return Promise.resolve({ namespace, serviceAccount });
  };
  const generators = new Map([...fixtureGenerators, [SecretType, createSdsGenerator(secrets)]]);
  const server = new XdsServer({
    generators,
    logger: pino({ level: process.env.DBG ? 'debug' : 'silent' }),
    authenticate,
    identityStreams: {
      opened: (id) => opened.push(`${id.namespace}/${id.serviceAccount}`),
      closed: (id) => closed.push(`${id.namespace}/${id.serviceAccount}`),
    },
  });
  await server.push(fixtureSnapshot({ [A]: ['127.0.0.1'] }), fullPush('initial'));
  const plaintextPort = await server.listen('127.0.0.1', 0);
  const tlsPort = await server.listenAuthenticated('127.0.0.1', 0, tlsMaterial.serverCredentials);
  const plaintext = new AdsTestClient(plaintextPort);
  const tls = new AdsTestClient(tlsPort, await tlsMaterial.clientCredentials(), tlsMaterial.channelOptions);
  cleanup = async () => {
    plaintext.close();
    tls.close();
    await server.close();
  };
  const withIdentity = (value: string): grpc.Metadata => {
    const m = new grpc.Metadata();
    m.set(IDENTITY_HEADER, value);
    return m;
  };
  return { server, plaintext, tls, secrets, authenticateCalls, held, opened, closed, withIdentity };
}

describe('an authenticated xDS port', () => {
  it('holds requests sent before authentication settles and then handles them in the order they came', async () => {
    const h = await start();
    const s = h.tls.sotw(h.withIdentity('hold:slow'));
    s.send({ node: node('default'), type_url: ClusterType });
    s.send({ type_url: ListenerType });
    expect(await s.quiet(300)).toBe(true);
    expect(h.held.has('slow')).toBe(true);
    h.held.get('slow')!.resolve({ namespace: 'default', serviceAccount: 'app' });
    const first = await s.next();
    const second = await s.next();
    expect([first.type_url, second.type_url]).toEqual([ClusterType, ListenerType]);
    expect(h.opened).toEqual(['default/app']);
  });

  it('closes a stream whose authentication rejects with UNAUTHENTICATED and the reason; other streams carry on', async () => {
    const h = await start();
    const good = h.tls.sotw(h.withIdentity('default/app'));
    good.send({ node: node('default'), type_url: ClusterType });
    expect((await good.next()).resources.map(resourceName)).toEqual([`outbound|80||${A}`]);

    const held = h.tls.sotw(h.withIdentity('hold:late-reject'));
    held.send({ node: node('default'), type_url: ClusterType });
    const bad = h.tls.sotw(h.withIdentity('reject:the token has expired'));
    bad.send({ node: node('default'), type_url: ClusterType });
    const err = await bad.responses.closed(5_000);
    expect(err?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(err?.details).toMatch(/authentication failed: the token has expired/);

    // A rejection that comes late still ends only its own stream, and none of its queued requests is answered.
    await waitFor(() => h.held.has('late-reject'));
    h.held.get('late-reject')!.reject(new XdsAuthenticationError('apiserver said no'));
    const lateErr = await held.responses.closed(5_000);
    expect(lateErr?.code).toBe(grpc.status.UNAUTHENTICATED);

    // The first stream is still served: a push reaches it.
    await h.server.push(fixtureSnapshot({ [A]: ['127.0.0.1'], 'b.default.svc.cluster.local': ['127.0.0.2'] }), fullPush('config'));
    const pushed = await good.next();
    expect(pushed.resources.map(resourceName).sort()).toEqual([`outbound|80||${A}`, 'outbound|80||b.default.svc.cluster.local']);
    expect(h.server.connectionCount).toBe(1);
    expect(h.opened).toEqual(['default/app']);
  });

  it('closes a stream that carries no credentials the authenticator accepts with UNAUTHENTICATED', async () => {
    const h = await start();
    const s = h.tls.sotw();
    s.send({ node: node('default'), type_url: ClusterType });
    const err = await s.responses.closed(5_000);
    expect(err?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(err?.details).toMatch(/no credentials/);
  });

  it('refuses with PERMISSION_DENIED a node in another namespace (NAMESPACE metadata or node id) or with another SERVICE_ACCOUNT', async () => {
    const h = await start();
    const refused = [
      node('ns-b'), // NAMESPACE metadata and node id both say ns-b
      node('ns-b', { idNamespace: 'ns-a' }), // metadata wins over the id, as Istio's GetProxyConfigNamespace
      nodeFromIdOnly('ns-b'),
      node('ns-a', { serviceAccount: 'sa-b' }),
    ];
    for (const claimed of refused) {
      const s = h.tls.sotw(h.withIdentity('ns-a/sa-a'));
      s.send({ node: claimed, type_url: ClusterType });
      const err = await s.responses.closed(5_000).catch((e: Error) => { throw new Error(`${JSON.stringify(claimed)}: ${e.message}`); });
      expect(err?.code, JSON.stringify(claimed)).toBe(grpc.status.PERMISSION_DENIED);
      expect(err?.details).toMatch(/authenticated as ns-a\/sa-a/);
    }
    const delta = h.tls.delta(h.withIdentity('ns-a/sa-a'));
    delta.send({ node: node('ns-b'), type_url: ClusterType });
    expect((await delta.responses.closed(5_000))?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(h.opened).toEqual([]);

    // The node's own namespace, with its own SERVICE_ACCOUNT or none, is accepted.
    for (const claimed of [node('ns-a', { serviceAccount: 'sa-a' }), node('ns-a'), nodeFromIdOnly('ns-a')]) {
      const s = h.tls.sotw(h.withIdentity('ns-a/sa-a'));
      s.send({ node: claimed, type_url: ClusterType });
      expect((await s.next()).type_url).toBe(ClusterType);
    }
    expect(h.opened).toEqual(['ns-a/sa-a', 'ns-a/sa-a', 'ns-a/sa-a']);
  });

  it('gives each authenticated stream its own "default" and the trust bundle as "ROOTCA", by name only', async () => {
    const h = await start();
    h.secrets.set('ns-a', 'sa-a', 1);
    h.secrets.set('ns-b', 'sa-b', 1);
    const a = h.tls.sotw(h.withIdentity('ns-a/sa-a'));
    a.send({ node: node('ns-a'), type_url: SecretType, resource_names: ['default', 'ROOTCA'] });
    const ra = await a.next();
    const byName = new Map(ra.resources.map((r) => [resourceName(r), decodeSecret(r)]));
    expect([...byName.keys()].sort()).toEqual(['ROOTCA', 'default']);
    const own = byName.get('default') as { tlsCertificate: { certificateChain: { inlineBytes: string }; privateKey: { inlineBytes: string } } };
    expect(Buffer.from(own.tlsCertificate.certificateChain.inlineBytes, 'base64').toString()).toContain('ns-a-sa-a-v1');
    expect(Buffer.from(own.tlsCertificate.privateKey.inlineBytes, 'base64').toString()).toContain('ns-a-sa-a-key-v1');
    const root = byName.get('ROOTCA') as { validationContext: { trustedCa: { inlineBytes: string } } };
    expect(Buffer.from(root.validationContext.trustedCa.inlineBytes, 'base64').toString()).toBe(h.secrets.bundle.join(''));

    const b = h.tls.sotw(h.withIdentity('ns-b/sa-b'));
    b.send({ node: node('ns-b'), type_url: SecretType, resource_names: ['default'] });
    const rb = await b.next();
    const theirs = decodeSecret(rb.resources[0]!) as typeof own;
    expect(Buffer.from(theirs.tlsCertificate.privateKey.inlineBytes, 'base64').toString()).toContain('ns-b-sa-b-key-v1');

    // A wildcard request lists no secrets.
    const w = h.tls.delta(h.withIdentity('ns-a/sa-a'));
    w.send({ node: node('ns-a'), type_url: SecretType, resource_names_subscribe: ['*'] });
    expect((await w.next()).resources).toEqual([]);
  });

  it('never authenticates on the plaintext port of the same server, and serves no secrets there', async () => {
    const h = await start();
    h.secrets.set('default', 'app', 1);
    const s = h.plaintext.sotw(h.withIdentity('default/app'));
    s.send({ node: node('default', { serviceAccount: 'app' }), type_url: SecretType, resource_names: ['default', 'ROOTCA'] });
    expect((await s.next()).resources).toEqual([]);
    s.send({ type_url: ClusterType });
    expect((await s.next()).resources.map(resourceName)).toEqual([`outbound|80||${A}`]);
    expect(h.authenticateCalls).toEqual([]);
    expect(h.opened).toEqual([]);
  });

  it('pushes a changed secret only to its identity streams, and a new trust bundle to every authenticated stream', async () => {
    const h = await start();
    h.secrets.set('ns-a', 'sa-a', 1);
    h.secrets.set('ns-b', 'sa-b', 1);
    const subscribe = (stream: ReturnType<AdsTestClient['sotw']>, ns: string) =>
      stream.send({ node: node(ns), type_url: SecretType, resource_names: ['default', 'ROOTCA'] });
    const a = h.tls.sotw(h.withIdentity('ns-a/sa-a'));
    const b = h.tls.sotw(h.withIdentity('ns-b/sa-b'));
    const plain = h.plaintext.sotw();
    subscribe(a, 'ns-a');
    subscribe(b, 'ns-b');
    subscribe(plain, 'ns-a');
    const ack = async (stream: ReturnType<AdsTestClient['sotw']>) => {
      const r = await stream.next();
      stream.send({ type_url: SecretType, resource_names: ['default', 'ROOTCA'], version_info: r.version_info, response_nonce: r.nonce });
      return r;
    };
    await ack(a);
    await ack(b);
    await ack(plain);

    h.secrets.set('ns-a', 'sa-a', 2);
    await h.server.pushSecrets({ identities: new Set(['ns-a/sa-a']), trustBundle: false });
    const pushed = await ack(a);
    expect(pushed.resources.map(resourceName)).toEqual(['default']);
    const chain = (decodeSecret(pushed.resources[0]!) as { tlsCertificate: { certificateChain: { inlineBytes: string } } }).tlsCertificate.certificateChain.inlineBytes;
    expect(Buffer.from(chain, 'base64').toString()).toContain('ns-a-sa-a-v2');
    expect(await b.quiet(300)).toBe(true);

    h.secrets.bundle = [...h.secrets.bundle, '-----BEGIN CERTIFICATE-----\nroot-2\n-----END CERTIFICATE-----\n'];
    await h.server.pushSecrets({ identities: new Set(), trustBundle: true });
    for (const stream of [a, b]) expect((await ack(stream)).resources.map(resourceName)).toEqual(['ROOTCA']);
    expect(await plain.quiet(300)).toBe(true);
  });

  it('serves the SecretDiscoveryService (StreamSecrets and DeltaSecrets) on the authenticated port, secrets only', async () => {
    const h = await start();
    h.secrets.set('ns-a', 'sa-a', 1);
    const s = h.tls.secrets(h.withIdentity('ns-a/sa-a'));
    s.send({ node: node('ns-a'), type_url: SecretType, resource_names: ['default'] });
    const r = await s.next();
    expect(r.type_url).toBe(SecretType);
    expect(r.resources.map(resourceName)).toEqual(['default']);
    s.send({ type_url: ClusterType, resource_names: [] });
    expect(await s.quiet(300)).toBe(true);

    const d = h.tls.deltaSecrets(h.withIdentity('ns-a/sa-a'));
    d.send({ node: node('ns-a'), type_url: SecretType, resource_names_subscribe: ['default'] });
    expect((await d.next()).resources.map((x) => x.name)).toEqual(['default']);

    const refused = h.tls.secrets(h.withIdentity('reject:bad'));
    refused.send({ node: node('ns-a'), type_url: SecretType, resource_names: ['default'] });
    expect((await refused.responses.closed(5_000))?.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('tells the identity tracker when streams of an identity close', async () => {
    const h = await start();
    const s = h.tls.sotw(h.withIdentity('ns-a/sa-a'));
    s.send({ node: node('ns-a'), type_url: ClusterType });
    await s.next();
    expect(h.opened).toEqual(['ns-a/sa-a']);
    s.cancel();
    await waitFor(() => h.closed.length > 0);
    expect(h.closed).toEqual(['ns-a/sa-a']);
  });

  it('must be TLS and must have an authenticator', async () => {
    const h = await start();
    expect(() => h.server.listenAuthenticated('127.0.0.1', 0, grpc.ServerCredentials.createInsecure())).toThrow(/must be TLS/);
    const bare = new XdsServer({ generators: fixtureGenerators, logger: pino({ level: 'silent' }) });
    expect(() => bare.listenAuthenticated('127.0.0.1', 0, tlsMaterial.serverCredentials)).toThrow(/authenticate/);
    await bare.close();
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !condition(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!condition()) throw new Error('condition not reached within 5 s');
}

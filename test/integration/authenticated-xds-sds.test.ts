/**
 * Authenticated xDS and SDS end to end, wired as serve.ts wires them: tsiod's
 * own CA (self-signed root) issues the 15012 serving certificate and the
 * clients' certificates; streams authenticate with the CA API's client
 * certificate authenticator; the workload-certificate cache issues each
 * identity its "default" and pushes renewals; one XdsServer serves a
 * plaintext port and the TLS port. The client is grpc-js over real TLS on
 * 127.0.0.1. Expectations come from Istio's behaviour (auth.go
 * checkConnectionIdentity, sds.go, the agent's toEnvoySecret and rotateTime)
 * and are checked with Node's X509Certificate, not with tsiod's own code.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authenticateCaller, callerCredentials } from '../../src/ca/authn/authenticator.js';
import { ClientCertificateAuthenticator } from '../../src/ca/authn/client-certificate-authenticator.js';
import { CertificateAuthority } from '../../src/ca/certificate-authority.js';
import type { CaKeyMaterial } from '../../src/ca/ca-key-material.js';
import { createSelfSignedRoot } from '../../src/ca/self-signed-root.js';
import { createCaServingCredentials, istiodDnsNames, type CaServingCredentials } from '../../src/ca/server/serving-credentials.js';
import { WorkloadCertificateCache } from '../../src/ca/workload-certificate-cache.js';
import { fullPush } from '../../src/push/push-request.js';
import { createGenerators } from '../../src/xds/gen/index.js';
import { typeForUrl } from '../../src/xds/proto/envoy-protos.js';
import { ClusterType, SecretType } from '../../src/xds/proto/type-urls.js';
import type { XdsAuthenticator } from '../../src/xds/server/stream-authentication.js';
import { XdsServer } from '../../src/xds/server/xds-server.js';
import { gatewayMesh, secret } from '../xds/gen/gateway/helpers/gateway-mesh.js';
import { AdsTestClient, type AdsTestStream, type SotwResponse } from '../xds/server/support/ads-test-client.js';

const TRUST_DOMAIN = 'cluster.local';
const SERVER_NAME = 'istiod.istio-system.svc';
const GATEWAY_CERT = '-----BEGIN CERTIFICATE-----\nMIIBgateway\n-----END CERTIFICATE-----\n';
const GATEWAY_KEY = '-----BEGIN PRIVATE KEY-----\nMIIEgatewaykey\n-----END PRIVATE KEY-----\n';

type Stream = AdsTestStream<Record<string, unknown>, SotwResponse>;

interface Identity {
  readonly namespace: string;
  readonly serviceAccount: string;
}

interface Tsiod {
  readonly ca: CertificateAuthority;
  readonly server: XdsServer;
  readonly cache: WorkloadCertificateCache;
  /** A client of the TLS port presenting a certificate of `identity` (from `issuer`, our CA by default), or none. */
  tlsClient(identity?: Identity, issuer?: CertificateAuthority): Promise<AdsTestClient>;
  readonly plaintext: AdsTestClient;
}

let root: CaKeyMaterial;
let foreignCa: CertificateAuthority;
beforeAll(async () => {
  // RSA 2048, istiod's default root.
  root = await createSelfSignedRoot({ trustDomain: TRUST_DOMAIN });
  foreignCa = await CertificateAuthority.fromKeyMaterial(await createSelfSignedRoot({ trustDomain: TRUST_DOMAIN, algorithm: 'ECDSA' }), { trustDomain: TRUST_DOMAIN });
}, 60_000);

/** Every log line of every tsiod in this file, checked for key material after each test. */
const logs: string[] = [];
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  const text = logs.splice(0).join('');
  expect(text.length).toBeGreaterThan(0);
  expect(text).not.toMatch(/PRIVATE KEY/);
});

/** The wiring serve.ts does for 15010 + 15012. */
async function startTsiod(options: { ttlSeconds?: number } = {}): Promise<Tsiod> {
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  const ca = await CertificateAuthority.fromKeyMaterial(root, { trustDomain: TRUST_DOMAIN });
  const serving: CaServingCredentials = await createCaServingCredentials(ca, { dnsNames: istiodDnsNames('istio-system'), logger });
  const authenticators = [new ClientCertificateAuthenticator({ trustDomain: TRUST_DOMAIN })];
  const authenticate: XdsAuthenticator = async (call) => {
    const caller = await authenticateCaller(authenticators, callerCredentials(call));
    return { namespace: caller.namespace, serviceAccount: caller.serviceAccount };
  };
  let server: XdsServer | undefined;
  const cache = new WorkloadCertificateCache({
    issuer: ca,
    trustDomain: TRUST_DOMAIN,
    logger,
    onSecretsChanged: (change) => void server?.pushSecrets(change),
    ...(options.ttlSeconds !== undefined ? { ttlSeconds: options.ttlSeconds } : {}),
  });
  server = new XdsServer({ generators: createGenerators({ workloadSecrets: cache }), logger, authenticate, identityStreams: cache });
  await server.push(
    gatewayMesh({ secrets: [secret('ingress-cert', 'istio-system', { 'tls.crt': GATEWAY_CERT, 'tls.key': GATEWAY_KEY })] }),
    fullPush('initial'),
  );
  const plaintextPort = await server.listen('127.0.0.1', 0);
  const tlsPort = await server.listenAuthenticated('127.0.0.1', 0, serving.credentials);
  const plaintext = new AdsTestClient(plaintextPort);
  const clients: AdsTestClient[] = [plaintext];
  closers.push(async () => {
    for (const c of clients) c.close();
    cache.close();
    serving.close();
    await server!.close();
    // Debug output: what /syncz shows holds no secret either.
    expect(JSON.stringify(server!.syncStatus()) + JSON.stringify(cache.tracked())).not.toMatch(/PRIVATE KEY/);
  });
  const rootPem = Buffer.from(ca.trustBundlePem().join('\n'));
  return {
    ca,
    server,
    cache,
    plaintext,
    async tlsClient(identity, issuer = ca) {
      let credentials = grpc.credentials.createSsl(rootPem);
      if (identity) {
        const issued = await issuer.issueWorkloadCertificate({ trustDomain: TRUST_DOMAIN, ...identity });
        credentials = grpc.credentials.createSsl(rootPem, Buffer.from(issued.privateKeyPem), Buffer.from(issued.certChainPem.slice(0, -1).join('')));
      }
      const client = new AdsTestClient(tlsPort, credentials, { 'grpc.ssl_target_name_override': SERVER_NAME, 'grpc.default_authority': SERVER_NAME });
      clients.push(client);
      return client;
    },
  };
}

/** A node as pilot-agent announces it. */
function node(type: 'sidecar' | 'router', namespace: string, serviceAccount: string) {
  return {
    id: `${type}~10.0.0.1~pod-1.${namespace}~${namespace}.svc.cluster.local`,
    user_agent_name: 'envoy',
    metadata: { fields: { NAMESPACE: { stringValue: namespace }, SERVICE_ACCOUNT: { stringValue: serviceAccount } } },
  };
}

interface DecodedSecret {
  name: string;
  tlsCertificate?: { certificateChain: { inlineBytes: string }; privateKey: { inlineBytes: string } };
  validationContext?: { trustedCa: { inlineBytes: string } };
}

function secretsOf(r: SotwResponse): Map<string, DecodedSecret> {
  const type = typeForUrl(SecretType);
  return new Map(
    r.resources.map((any) => {
      const s = type.toObject(type.decode(any.value), { bytes: String }) as DecodedSecret;
      return [s.name, s];
    }),
  );
}

const text = (b64: string): string => Buffer.from(b64, 'base64').toString();
const pemBlocks = (pem: string): string[] => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

/** Reads (and ACKs, as Envoy does) SDS responses until the client holds every name of `wanted`; returns what it holds. */
async function readUntil(stream: Stream, subscription: readonly string[], wanted: readonly string[]): Promise<Map<string, DecodedSecret>> {
  const held = new Map<string, DecodedSecret>();
  for (let i = 0; i < 10; i++) {
    const r = await stream.next(10_000);
    stream.send({ type_url: SecretType, resource_names: subscription, version_info: r.version_info, response_nonce: r.nonce });
    for (const [name, secret] of secretsOf(r)) held.set(name, secret);
    if (wanted.every((n) => held.has(n))) return held;
  }
  throw new Error(`not all of ${wanted.join(', ')} after 10 responses`);
}

/** The next response that carries `name` (ACKing every response read). */
async function nextWith(stream: Stream, name: string, subscription: readonly string[]): Promise<DecodedSecret> {
  for (let i = 0; i < 10; i++) {
    const r = await stream.next(10_000);
    stream.send({ type_url: SecretType, resource_names: subscription, version_info: r.version_info, response_nonce: r.nonce });
    const found = secretsOf(r).get(name);
    if (found) return found;
  }
  throw new Error(`no "${name}" after 10 responses`);
}

describe('authenticated xDS with SDS', () => {
  it('gives a workload authenticated as ns-a/sa-a its own certificate and key as "default", and the trust bundle as "ROOTCA"', async () => {
    const tsiod = await startTsiod();
    const stream = (await tsiod.tlsClient({ namespace: 'ns-a', serviceAccount: 'sa-a' })).sotw();
    const names = ['default', 'ROOTCA'];
    stream.send({ node: node('sidecar', 'ns-a', 'sa-a'), type_url: SecretType, resource_names: names });
    const held = await readUntil(stream, names, names);
    const own = held.get('default')!;

    const chain = pemBlocks(text(own.tlsCertificate!.certificateChain.inlineBytes));
    const leaf = new X509Certificate(chain[0]!);
    expect(leaf.subjectAltName).toBe('URI:spiffe://cluster.local/ns/ns-a/sa/sa-a');
    expect(leaf.checkPrivateKey(createPrivateKey(text(own.tlsCertificate!.privateKey.inlineBytes)))).toBe(true);
    const rootCert = new X509Certificate(tsiod.ca.trustBundlePem()[0]!);
    expect(leaf.verify(rootCert.publicKey)).toBe(true);
    expect(leaf.checkIssued(rootCert)).toBe(true);
    const trust = held.get('ROOTCA')!;
    expect(pemBlocks(text(trust.validationContext!.trustedCa.inlineBytes)).map((p) => new X509Certificate(p).fingerprint256)).toEqual([rootCert.fingerprint256]);
  });

  it('refuses a workload authenticated as ns-a/sa-a whose node claims ns-b with PERMISSION_DENIED', async () => {
    const tsiod = await startTsiod();
    const client = await tsiod.tlsClient({ namespace: 'ns-a', serviceAccount: 'sa-a' });
    const stream = client.sotw();
    stream.send({ node: node('sidecar', 'ns-b', 'sa-a'), type_url: SecretType, resource_names: ['default'] });
    const err = await stream.responses.closed(10_000);
    expect(err?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(tsiod.cache.tracked()).toEqual([]);
  });

  it('gives a gateway of ns-a nothing when it asks for a credential of another namespace', async () => {
    const tsiod = await startTsiod();
    const stream = (await tsiod.tlsClient({ namespace: 'ns-a', serviceAccount: 'gw' })).sotw();
    const names = ['kubernetes://istio-system/ingress-cert', 'kubernetes://istio-system/ingress-cert-cacert'];
    stream.send({ node: node('router', 'ns-a', 'gw'), type_url: SecretType, resource_names: names });
    expect((await stream.next(10_000)).resources).toEqual([]);
    // The gateway of istio-system does get it (the Secret exists and is served where Istio allows).
    const own = (await tsiod.tlsClient({ namespace: 'istio-system', serviceAccount: 'gw' })).sotw();
    own.send({ node: node('router', 'istio-system', 'gw'), type_url: SecretType, resource_names: ['kubernetes://ingress-cert'] });
    const served = await nextWith(own, 'kubernetes://ingress-cert', ['kubernetes://ingress-cert']);
    expect(text(served.tlsCertificate!.certificateChain.inlineBytes)).toBe(GATEWAY_CERT);
  });

  it('gives a plaintext stream asking for "default" nothing', async () => {
    const tsiod = await startTsiod();
    const stream = tsiod.plaintext.sotw();
    stream.send({ node: node('sidecar', 'ns-a', 'sa-a'), type_url: SecretType, resource_names: ['default', 'ROOTCA'] });
    expect((await stream.next(10_000)).resources).toEqual([]);
    expect(await stream.quiet(500)).toBe(true);
    expect(tsiod.cache.tracked()).toEqual([]);
  });

  it('refuses streams whose authentication fails (no client certificate, one from a foreign CA) with UNAUTHENTICATED; an authenticated stream carries on', async () => {
    const tsiod = await startTsiod();
    const good = (await tsiod.tlsClient({ namespace: 'ns-a', serviceAccount: 'sa-a' })).sotw();
    good.send({ node: node('sidecar', 'ns-a', 'sa-a'), type_url: ClusterType });
    await good.next(10_000);

    for (const client of [await tsiod.tlsClient(), await tsiod.tlsClient({ namespace: 'ns-a', serviceAccount: 'sa-a' }, foreignCa)]) {
      const refused = client.sotw();
      refused.send({ node: node('sidecar', 'ns-a', 'sa-a'), type_url: SecretType, resource_names: ['default'] });
      const err = await refused.responses.closed(10_000);
      expect(err?.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(err?.details).toMatch(/authentication failed: no credentials/);
    }

    const names = ['default'];
    good.send({ type_url: SecretType, resource_names: names });
    const own = await nextWith(good, 'default', names);
    expect(new X509Certificate(pemBlocks(text(own.tlsCertificate!.certificateChain.inlineBytes))[0]!).subjectAltName).toBe('URI:spiffe://cluster.local/ns/ns-a/sa/sa-a');
    expect(good.responses.closedWith).toBeUndefined();
    expect(tsiod.server.connectionCount).toBe(1);
  });

  it('keeps a long-lived stream receiving each renewed "default" under a 4-second TTL, without error', async () => {
    const tsiod = await startTsiod({ ttlSeconds: 4 });
    const stream = (await tsiod.tlsClient({ namespace: 'ns-a', serviceAccount: 'sa-a' })).sotw();
    const names = ['default'];
    stream.send({ node: node('sidecar', 'ns-a', 'sa-a'), type_url: SecretType, resource_names: names });
    const serials: string[] = [];
    const expiries: number[] = [];
    while (serials.length < 3) {
      const own = await nextWith(stream, 'default', names);
      const leaf = new X509Certificate(pemBlocks(text(own.tlsCertificate!.certificateChain.inlineBytes))[0]!);
      expect(leaf.subjectAltName).toBe('URI:spiffe://cluster.local/ns/ns-a/sa/sa-a');
      expect(leaf.checkPrivateKey(createPrivateKey(text(own.tlsCertificate!.privateKey.inlineBytes)))).toBe(true);
      serials.push(leaf.serialNumber);
      expiries.push(Date.parse(leaf.validTo));
    }
    expect(new Set(serials).size).toBe(3);
    expect([...expiries].sort((x, y) => x - y)).toEqual(expiries);
    expect(stream.responses.closedWith).toBeUndefined();
  }, 30_000);
});

/**
 * `tsiod bootstrap --proxy envoy --root-cert R --token-file T` gives a bare
 * Envoy (no pilot-agent) what it needs on tsiod's authenticated port: TLS to
 * 15012 verified against tsiod's root and server name, the token on the ADS
 * stream, and a node whose namespace and SERVICE_ACCOUNT are the token's.
 * No Envoy runs here, so the test does what Envoy does with those bootstrap
 * fields (grpc-js with the bootstrap's trusted CA, SNI and initial metadata)
 * against a real tsiod, and asks for the SDS secrets Envoy would ask for.
 */
import * as grpc from '@grpc/grpc-js';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envoyBootstrap } from '../../src/cli/envoy-bootstrap.js';
import { startTsiod, type RunningTsiod } from '../../src/cli/serve.js';
import { createLocalToken } from '../../src/cli/token-create.js';
import { typeForUrl } from '../../src/xds/proto/envoy-protos.js';
import { SecretType } from '../../src/xds/proto/type-urls.js';
import { LogBuffer } from '../helpers/log-buffer.js';
import { AdsTestClient } from '../xds/server/support/ads-test-client.js';

interface Bootstrap {
  node: { id: string; metadata: Record<string, unknown> };
  dynamic_resources: { ads_config: { grpc_services: Array<{ initial_metadata?: Array<{ key: string; value: string }> }> } };
  static_resources: {
    clusters: Array<{
      name: string;
      load_assignment: { endpoints: Array<{ lb_endpoints: Array<{ endpoint: { address: { socket_address: { address: string; port_value: number } } } }> }> };
      transport_socket?: { typed_config: { sni: string; common_tls_context: { alpn_protocols: string[]; validation_context: { trusted_ca: { inline_string: string } } } } };
    }>;
  };
}

/** The node as Envoy sends it: bootstrap metadata as a protobuf Struct. */
function wireNode(node: Bootstrap['node']): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node.metadata)) {
    fields[key] = typeof value === 'string' ? { stringValue: value } : { structValue: { fields: {} } };
  }
  return { id: node.id, user_agent_name: 'envoy', metadata: { fields } };
}

describe('secure Envoy bootstrap (bare Envoy on 15012)', () => {
  const logs = new LogBuffer();
  let stateDir: string;
  let tsiod: RunningTsiod;

  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-secure-bootstrap-'));
    tsiod = await startTsiod({
      configDir: path.resolve('examples/bookinfo'),
      host: '127.0.0.1',
      xdsPort: null,
      securePort: 0,
      monitoringPort: null,
      stateDir,
      logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
    });
  }, 60_000);

  afterAll(async () => {
    await tsiod?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  async function bootstrapFor(serviceAccount: string, tokenServiceAccount = serviceAccount): Promise<Bootstrap> {
    const token = await createLocalToken({ namespace: 'default', serviceAccount: tokenServiceAccount, stateDir });
    return envoyBootstrap({
      xdsHost: '127.0.0.1',
      xdsPort: tsiod.securePort!,
      adminPort: 15000,
      namespace: 'default',
      nodeId: 'sidecar~127.0.0.1~productpage-v1.default~default.svc.cluster.local',
      labels: { app: 'productpage' },
      serviceAccount,
      secure: { rootCertPem: tsiod.trustBundlePem().join(''), serverName: 'istiod.istio-system.svc', token },
    }) as unknown as Bootstrap;
  }

  /** Connects as Envoy would from the bootstrap's xds-grpc cluster and ADS config, and asks for default and ROOTCA. */
  async function askForSecrets(bootstrap: Bootstrap): Promise<{ names: string[]; resources: Array<Record<string, unknown>> } | grpc.ServiceError> {
    const cluster = bootstrap.static_resources.clusters.find((c) => c.name === 'xds-grpc')!;
    const address = cluster.load_assignment.endpoints[0]!.lb_endpoints[0]!.endpoint.address.socket_address;
    const tls = cluster.transport_socket!.typed_config;
    expect(tls.common_tls_context.alpn_protocols).toEqual(['h2']);
    const client = new AdsTestClient(
      address.port_value,
      grpc.credentials.createSsl(Buffer.from(tls.common_tls_context.validation_context.trusted_ca.inline_string)),
      { 'grpc.ssl_target_name_override': tls.sni },
    );
    const metadata = new grpc.Metadata();
    for (const { key, value } of bootstrap.dynamic_resources.ads_config.grpc_services[0]!.initial_metadata ?? []) metadata.set(key, value);
    const stream = client.sotw(metadata);
    stream.send({ node: wireNode(bootstrap.node), type_url: SecretType, resource_names: ['default', 'ROOTCA'] });
    try {
      // The first answer may hold ROOTCA alone: the workload's certificate is issued when its stream opens, then pushed.
      const type = typeForUrl(SecretType);
      // A SotW SDS answer may carry only the secrets that changed: keep the latest of each.
      const byName = new Map<string, Record<string, unknown>>();
      // next() waits for a response only; a stream the server ends with a status settles this instead.
      const ended = stream.responses.closed(15_000).then((status) => {
        throw status ?? new Error('the server ended the stream without an error status');
      });
      ended.catch(() => undefined);
      for (;;) {
        const response = (await Promise.race([stream.next(10_000), ended])) as unknown as { resources: Array<{ value: Uint8Array }>; version_info: string; nonce: string };
        for (const any of response.resources) {
          const secret = type.toObject(type.decode(any.value), { longs: String, bytes: String }) as Record<string, unknown>;
          byName.set(String(secret['name']), secret);
        }
        if (byName.has('default') && byName.has('ROOTCA')) return { names: [...byName.keys()].sort(), resources: [...byName.values()] };
        stream.send({ type_url: SecretType, resource_names: ['default', 'ROOTCA'], version_info: response.version_info, response_nonce: response.nonce });
      }
    } catch (error) {
      return error as grpc.ServiceError;
    } finally {
      stream.cancel();
    }
  }

  it('gets its own certificate and the trust bundle over the authenticated ADS stream', async () => {
    const answer = await askForSecrets(await bootstrapFor('bookinfo-productpage'));
    if (answer instanceof Error) throw answer;
    expect(answer.names).toEqual(['ROOTCA', 'default']);
    const secret = answer.resources.find((r) => r['name'] === 'default') as { tlsCertificate: { certificateChain: { inlineBytes: string }; privateKey: { inlineBytes: string } } };
    const chainPem = Buffer.from(secret.tlsCertificate.certificateChain.inlineBytes, 'base64').toString();
    const leaf = new X509Certificate(chainPem);
    expect(leaf.subjectAltName).toBe('URI:spiffe://cluster.local/ns/default/sa/bookinfo-productpage');
    expect(leaf.checkPrivateKey(createPrivateKey(Buffer.from(secret.tlsCertificate.privateKey.inlineBytes, 'base64').toString()))).toBe(true);
    expect(leaf.verify(new X509Certificate(tsiod.trustBundlePem()[0]!).publicKey)).toBe(true);
  }, 30_000);

  it('is refused when its node claims a service account its token does not carry', async () => {
    const answer = await askForSecrets(await bootstrapFor('bookinfo-reviews', 'bookinfo-productpage'));
    expect(answer).toBeInstanceOf(Error);
    expect((answer as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);
  }, 30_000);

  it('is refused with a token of another tsiod', async () => {
    const otherState = await mkdtemp(path.join(os.tmpdir(), 'tsiod-other-issuer-'));
    try {
      const bootstrap = await bootstrapFor('bookinfo-productpage');
      const foreign = await createLocalToken({ namespace: 'default', serviceAccount: 'bookinfo-productpage', stateDir: otherState });
      bootstrap.dynamic_resources.ads_config.grpc_services[0]!.initial_metadata = [{ key: 'authorization', value: `Bearer ${foreign}` }];
      const answer = await askForSecrets(bootstrap);
      expect((answer as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    } finally {
      await rm(otherState, { recursive: true, force: true });
    }
  }, 30_000);

  it('keeps the token and keys out of tsiod\'s logs', () => {
    expect(logs.text()).toMatch(/CA ready/);
    expect(logs.text()).not.toMatch(/PRIVATE KEY|Bearer ey/);
  });
});

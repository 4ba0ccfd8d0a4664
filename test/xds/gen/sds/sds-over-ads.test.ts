/**
 * Gateway credentials over a real ADS stream: the registered SDS generator
 * behind tsiod's XdsServer, asked by name as Envoy asks for secrets
 * referenced from its listeners. Secrets need an authenticated stream, so
 * the server listens on its TLS port (certificates from tsiod's CA).
 */
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fullPush } from '../../../../src/push/push-request.js';
import { generators } from '../../../../src/xds/gen/index.js';
import { typeForUrl } from '../../../../src/xds/proto/envoy-protos.js';
import { SecretType } from '../../../../src/xds/proto/type-urls.js';
import { XdsServer } from '../../../../src/xds/server/xds-server.js';
import { AdsTestClient, resourceName } from '../../server/support/ads-test-client.js';
import { createMeshTls, type MeshTls } from '../../server/support/mesh-tls.js';
import { gatewayMesh, secret } from '../gateway/helpers/gateway-mesh.js';

const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n';

const node = (type: 'router' | 'sidecar', namespace: string) => ({
  id: `${type}~10.0.0.9~pod-1.${namespace}~${namespace}.svc.cluster.local`,
  user_agent_name: 'envoy',
  metadata: { fields: { NAMESPACE: { stringValue: namespace } } },
});

let tls: MeshTls;
beforeAll(async () => {
  tls = await createMeshTls();
});

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

/** `authenticatedAs`: the namespace every stream on the TLS port authenticates as; null for the plaintext port. */
async function start(authenticatedAs: string | null = 'istio-system'): Promise<AdsTestClient> {
  const server = new XdsServer({
    generators,
    logger: pino({ level: 'silent' }),
    authenticate: () => Promise.resolve({ namespace: authenticatedAs ?? '', serviceAccount: 'istio-ingressgateway' }),
  });
  await server.push(gatewayMesh({ secrets: [secret('bookinfo-cert', 'istio-system', { 'tls.crt': CERT, 'tls.key': KEY })] }), fullPush('initial'));
  const client =
    authenticatedAs === null
      ? new AdsTestClient(await server.listen('127.0.0.1', 0))
      : new AdsTestClient(await server.listenAuthenticated('127.0.0.1', 0, tls.serverCredentials), await tls.clientCredentials(), tls.channelOptions);
  close = async () => {
    client.close();
    await server.close();
  };
  return client;
}

describe('SDS over ADS', () => {
  it('answers a gateway asking for its credential by name with the decoded Secret', async () => {
    const stream = (await start()).sotw();
    stream.send({ node: node('router', 'istio-system'), type_url: SecretType, resource_names: ['kubernetes://bookinfo-cert'] });
    const response = await stream.next();
    expect(response.type_url).toBe(SecretType);
    expect(response.resources.map(resourceName)).toEqual(['kubernetes://bookinfo-cert']);
    const decoded = typeForUrl(SecretType).toObject(typeForUrl(SecretType).decode(response.resources[0]!.value)) as {
      tlsCertificate: { privateKey: { inlineBytes: Uint8Array } };
    };
    expect(Buffer.from(decoded.tlsCertificate.privateKey.inlineBytes).toString()).toBe(KEY);
  });

  it('answers a stream on the plaintext port with no resources', async () => {
    const stream = (await start(null)).sotw();
    stream.send({ node: node('router', 'istio-system'), type_url: SecretType, resource_names: ['kubernetes://bookinfo-cert'] });
    expect((await stream.next()).resources).toEqual([]);
  });

  it('refuses a gateway authenticated in another namespace than its node claims (PERMISSION_DENIED), sending nothing', async () => {
    const stream = (await start('team-b')).sotw();
    stream.send({ node: node('router', 'istio-system'), type_url: SecretType, resource_names: ['kubernetes://bookinfo-cert'] });
    const err = await stream.responses.closed(5_000);
    expect(err?.code).toBe(grpc.status.PERMISSION_DENIED);
  });

  it('answers a gateway asking for a credential of another namespace with no resources', async () => {
    const stream = (await start('team-b')).sotw();
    stream.send({ node: node('router', 'team-b'), type_url: SecretType, resource_names: ['kubernetes://istio-system/bookinfo-cert'] });
    expect((await stream.next()).resources).toEqual([]);
  });

  it('answers a sidecar asking for the same name with no resources', async () => {
    const stream = (await start()).sotw();
    stream.send({ node: node('sidecar', 'istio-system'), type_url: SecretType, resource_names: ['kubernetes://bookinfo-cert'] });
    const response = await stream.next();
    expect(response.resources).toEqual([]);
  });
});

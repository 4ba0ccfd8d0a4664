/**
 * Gateway credentials over a real ADS stream: the registered SDS generator
 * behind tsiod's XdsServer, asked by name as Envoy asks for secrets
 * referenced from its listeners.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { fullPush } from '../../../../src/push/push-request.js';
import { generators } from '../../../../src/xds/gen/index.js';
import { typeForUrl } from '../../../../src/xds/proto/envoy-protos.js';
import { SecretType } from '../../../../src/xds/proto/type-urls.js';
import { XdsServer } from '../../../../src/xds/server/xds-server.js';
import { AdsTestClient, resourceName } from '../../server/support/ads-test-client.js';
import { gatewayMesh, secret } from '../gateway/helpers/gateway-mesh.js';

const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n';

const node = (type: 'router' | 'sidecar', namespace: string) => ({
  id: `${type}~10.0.0.9~pod-1.${namespace}~${namespace}.svc.cluster.local`,
  user_agent_name: 'envoy',
  metadata: { fields: { NAMESPACE: { string_value: namespace } } },
});

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

/** `authenticatedAs`: the namespace every stream authenticates as; null for a plaintext server. */
async function start(authenticatedAs: string | null = 'istio-system'): Promise<AdsTestClient> {
  const server = new XdsServer({
    generators,
    logger: pino({ level: 'silent' }),
    ...(authenticatedAs !== null ? { authenticate: () => ({ namespace: authenticatedAs, serviceAccount: 'istio-ingressgateway' }) } : {}),
  });
  await server.push(gatewayMesh({ secrets: [secret('bookinfo-cert', 'istio-system', { 'tls.crt': CERT, 'tls.key': KEY })] }), fullPush('initial'));
  const client = new AdsTestClient(await server.listen('127.0.0.1', 0));
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

  it('answers an unauthenticated stream, or one authenticated in another namespace, with no resources', async () => {
    for (const authenticatedAs of [null, 'team-b']) {
      const stream = (await start(authenticatedAs)).sotw();
      stream.send({ node: node('router', 'istio-system'), type_url: SecretType, resource_names: ['kubernetes://bookinfo-cert'] });
      const response = await stream.next();
      expect(response.resources).toEqual([]);
      await close?.();
      close = undefined;
    }
  });

  it('answers a sidecar asking for the same name with no resources', async () => {
    const stream = (await start()).sotw();
    stream.send({ node: node('sidecar', 'istio-system'), type_url: SecretType, resource_names: ['kubernetes://bookinfo-cert'] });
    const response = await stream.next();
    expect(response.resources).toEqual([]);
  });
});

/**
 * A gateway proxy end to end: the two-namespaces mesh plus an ingress
 * gateway (fixtures/ingress.yaml) loaded and validated as the directory
 * source loads them, built into a snapshot, and served through the
 * registered generators to a proxy parsed from its xDS node.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ConfigObject } from '../../../../src/config/config-object.js';
import { loadConfigText } from '../../../../src/config/load-config-text.js';
import { buildSnapshot } from '../../../../src/model/build-snapshot.js';
import { parseProxyNode, type ProxyNode } from '../../../../src/model/proxy.js';
import { DEFAULT_MESH_CONFIG } from '../../../../src/model/types.js';
import { generators } from '../../../../src/xds/gen/index.js';
import { ListenerType, RouteType, SecretType, type XdsTypeUrl } from '../../../../src/xds/proto/type-urls.js';
import { namesOf, resourceNamed } from '../helpers/generate.js';
import { expectValidOnTheWire } from './helpers/gateway-mesh.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MESH_DIR = path.resolve(HERE, '../../../fixtures/meshes/two-namespaces');
const ADS = { ads: {}, resourceApiVersion: 'V3' };
type Json = Record<string, unknown>;

function load(file: string): readonly ConfigObject[] {
  const loaded = loadConfigText(path.basename(file), readFileSync(file, 'utf8'));
  expect(loaded.errors).toEqual([]);
  return loaded.objects;
}

const objects = [
  ...readdirSync(MESH_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => load(path.join(MESH_DIR, f))),
  ...load(path.join(HERE, 'fixtures/ingress.yaml')),
];
const snapshot = buildSnapshot({ mesh: DEFAULT_MESH_CONFIG, objects });

// As the stream would be once authenticated as the gateway's service account (secrets need it).
const gatewayNode: ProxyNode = {
  ...parseProxyNode(
    { id: 'router~10.244.2.50~istio-ingressgateway-1.shop~shop.svc.cluster.local', metadata: { LABELS: { istio: 'ingressgateway' } }, userAgentName: 'envoy' },
    'cluster.local',
  ),
  verifiedIdentity: { namespace: 'shop', serviceAccount: 'istio-ingressgateway' },
};

function serve(typeUrl: XdsTypeUrl, node: ProxyNode, names?: readonly string[]): ReturnType<NonNullable<ReturnType<typeof generators.get>>['generate']> {
  const generator = generators.get(typeUrl);
  if (!generator) throw new Error(`no generator for ${typeUrl}`);
  return generator.generate(snapshot, generator.keyOf(node, snapshot), names ? new Set(names) : undefined);
}

describe('an ingress gateway from YAML through the pipeline', () => {
  it('listens on the gateway Service target ports: HTTP on 8080, HTTPS with the Secret over SDS on 8443', () => {
    const listeners = serve(ListenerType, gatewayNode);
    expect(namesOf(listeners)).toEqual(['0.0.0.0_8080', '0.0.0.0_8443']);
    const http = (resourceNamed(listeners, '0.0.0.0_8080')['filterChains'] as Json[])[0] as Json;
    expect((((http['filters'] as Json[])[0] as Json)['typedConfig'] as Json)['rds']).toEqual({ configSource: ADS, routeConfigName: 'http.8080' });
    const https = (resourceNamed(listeners, '0.0.0.0_8443')['filterChains'] as Json[])[0] as Json;
    expect(https['filterChainMatch']).toEqual({ serverNames: ['shop.example.com'] });
    expect((((https['filters'] as Json[])[0] as Json)['typedConfig'] as Json)['rds']).toEqual({
      configSource: ADS,
      routeConfigName: 'https.443.https.storefront-tls.shop',
    });
    const tls = (https['transportSocket'] as Json)['typedConfig'] as Json;
    expect((tls['commonTlsContext'] as Json)['tlsCertificateSdsSecretConfigs']).toEqual([{ name: 'kubernetes://storefront-cert', sdsConfig: ADS }]);
    expectValidOnTheWire(ListenerType, listeners);
  });

  it('routes the mesh-and-gateway VirtualService of another namespace on the host the Gateway grants that namespace', () => {
    const routes = serve(RouteType, gatewayNode);
    expect(namesOf(routes)).toEqual(['http.8080', 'https.443.https.storefront-tls.shop']);
    const [reviews] = resourceNamed(routes, 'http.8080')['virtualHosts'] as [Json];
    expect(reviews['name']).toBe('reviews.bookstore.svc.cluster.local:80');
    expect(reviews['domains']).toEqual(['reviews.bookstore.svc.cluster.local']);
    const [jason, split] = reviews['routes'] as [Json, Json];
    // reviews has two ports and the destinations name none, so Istio's GetDestinationCluster takes the gateway server's port.
    expect((jason['route'] as Json)['cluster']).toBe('outbound|80|v2|reviews.bookstore.svc.cluster.local');
    expect(((split['route'] as Json)['weightedClusters'] as Json)['clusters']).toEqual([
      { name: 'outbound|80|v1|reviews.bookstore.svc.cluster.local', weight: { value: 75 } },
      { name: 'outbound|80|v3|reviews.bookstore.svc.cluster.local', weight: { value: 25 } },
    ]);
    const [storefront] = resourceNamed(routes, 'https.443.https.storefront-tls.shop')['virtualHosts'] as [Json];
    expect(storefront['name']).toBe('shop.example.com:443');
    expect((((storefront['routes'] as Json[])[0] as Json)['route'] as Json)['cluster']).toBe('outbound|80||storefront.shop.svc.cluster.local');
    expectValidOnTheWire(RouteType, routes);
  });

  it('serves the gateway its own namespace credential and nothing from another namespace; a sidecar gets none', () => {
    const secrets = serve(SecretType, gatewayNode, ['kubernetes://storefront-cert', 'kubernetes://bookstore/reviews-cert']);
    expect(namesOf(secrets)).toEqual(['kubernetes://storefront-cert']);
    const pair = resourceNamed(secrets, 'kubernetes://storefront-cert')['tlsCertificate'] as Json;
    const key = Buffer.from((pair['privateKey'] as Json)['inlineBytes'] as string, 'base64').toString();
    expect(key).toContain('-----BEGIN PRIVATE KEY-----');
    expectValidOnTheWire(SecretType, secrets);

    const reviewsGateway = {
      ...parseProxyNode({ id: 'router~10.244.1.60~gw-1.bookstore~bookstore.svc.cluster.local', metadata: { LABELS: { istio: 'ingressgateway' } } }, 'cluster.local'),
      verifiedIdentity: { namespace: 'bookstore', serviceAccount: 'gw' },
    };
    expect(namesOf(serve(SecretType, reviewsGateway, ['kubernetes://shop/storefront-cert', 'kubernetes://reviews-cert']))).toEqual([
      'kubernetes://reviews-cert',
    ]);
    const sidecar = {
      ...parseProxyNode({ id: 'sidecar~10.244.2.21~storefront-1.shop~shop.svc.cluster.local' }, 'cluster.local'),
      verifiedIdentity: { namespace: 'shop', serviceAccount: 'storefront' },
    };
    expect(serve(SecretType, sidecar, ['kubernetes://storefront-cert'])).toEqual([]);
  });
});

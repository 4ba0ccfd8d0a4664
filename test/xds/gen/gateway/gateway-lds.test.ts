/**
 * Gateway listeners, from Istio Gateway resources to what Istio's
 * buildGatewayListeners (pilot/pkg/networking/core/gateway.go) gives the
 * gateway Envoy. Expected values follow Istio's documented ingress tasks.
 */
import { describe, expect, it } from 'vitest';
import type { GatewayServer } from '../../../../src/model/types.js';
import { ldsGenerator } from '../../../../src/xds/gen/lds/lds-generator.js';
import { ListenerType } from '../../../../src/xds/proto/type-urls.js';
import { generateFor, namesOf, resourceNamed } from '../helpers/generate.js';
import { fqdn, kubeService, port, virtualService } from '../helpers/mesh-builder.js';
import { expectValidOnTheWire, gateway, gatewayMesh, router } from './helpers/gateway-mesh.js';

const productpage = kubeService('productpage', 'default', [port(9080, 'HTTP', 'http')]);
const mysql = kubeService('mysql', 'default', [port(3306, 'TCP', 'tcp')]);
const SELECTOR = { istio: 'ingressgateway' };
const ADS = { ads: {}, resourceApiVersion: 'V3' };
/**
 * Where these gateways (no PROXY_CONFIG in their metadata: no pilot-agent;
 * on an authenticated stream) get "default" and "ROOTCA": ADS, waiting for
 * them as Istio's sds-grpc configs do (initial_fetch_timeout 0s,
 * pkg/model/authentication.go).
 */
const WORKLOAD_ADS = { ...ADS, initialFetchTimeout: { seconds: 0 } };

type Json = Record<string, unknown>;
const chains = (listener: Json): Json[] => listener['filterChains'] as Json[];
const firstFilter = (chain: Json): Json => (chain['filters'] as Json[])[0] as Json;
const hcmOf = (chain: Json): Json => firstFilter(chain)['typedConfig'] as Json;
const tlsOf = (chain: Json): Json => (chain['transportSocket'] as Json)['typedConfig'] as Json;

const httpGateway = gateway('bookinfo-gateway', 'istio-system', {
  selector: SELECTOR,
  servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['bookinfo.example.com'] }],
});

function httpsServer(name: string, hosts: string[], tls: Record<string, unknown>): GatewayServer {
  return { port: { number: 443, name, protocol: 'HTTPS' }, hosts, tls };
}

describe('gateway LDS', () => {
  it('gives a plain-text HTTP server port a bound listener whose HCM takes RDS "http.<port>"', () => {
    const out = generateFor(ldsGenerator, gatewayMesh({ services: [productpage], gateways: [httpGateway] }), router('istio-system'));
    expect(namesOf(out)).toEqual(['0.0.0.0_80']);
    const listener = resourceNamed(out, '0.0.0.0_80');
    expect(listener['address']).toEqual({ socketAddress: { address: '0.0.0.0', portValue: 80 } });
    // Gateways bind their ports: no bindToPort false as on sidecar outbound listeners, and no TLS inspection for plain text.
    expect(listener['bindToPort']).toBeUndefined();
    expect(listener['listenerFilters']).toBeUndefined();
    const [chain] = chains(listener);
    expect(chain?.['filterChainMatch']).toBeUndefined();
    const hcm = hcmOf(chain as Json);
    expect(hcm['rds']).toEqual({ configSource: ADS, routeConfigName: 'http.80' });
    expect(hcm['statPrefix']).toBe('outbound_0.0.0.0_80');
    expect(hcm['useRemoteAddress']).toEqual({ value: true });
    expect(hcm['forwardClientCertDetails']).toBe('SANITIZE_SET');
    expectValidOnTheWire(ListenerType, out);
  });

  it('gives nothing to a gateway pod no Gateway selects, and ignores Gateways selecting other pods', () => {
    const snap = gatewayMesh({ gateways: [httpGateway] });
    expect(generateFor(ldsGenerator, snap, router('istio-system', { istio: 'egressgateway' }))).toEqual([]);
  });

  it('binds the targetPort of the gateway Service port a server names (Istio port translation)', () => {
    const gatewayService = kubeService('istio-ingressgateway', 'istio-system', [{ name: 'http2', port: 80, protocol: 'HTTP2', targetPort: 8080 }], {
      selector: SELECTOR,
      labels: SELECTOR,
    });
    const out = generateFor(ldsGenerator, gatewayMesh({ services: [gatewayService], gateways: [httpGateway] }), router('istio-system'));
    expect(namesOf(out)).toEqual(['0.0.0.0_8080']);
    expect(hcmOf(chains(resourceNamed(out, '0.0.0.0_8080'))[0] as Json)['rds']).toEqual({ configSource: ADS, routeConfigName: 'http.8080' });
    expectValidOnTheWire(ListenerType, out);
  });

  it('does not translate through a Service in another namespace or one that does not select the pod', () => {
    const elsewhere = kubeService('istio-ingressgateway', 'other', [{ name: 'http', port: 80, protocol: 'HTTP', targetPort: 8080 }], { selector: SELECTOR });
    const notSelecting = kubeService('other-gw', 'istio-system', [{ name: 'http', port: 80, protocol: 'HTTP', targetPort: 9090 }], {
      selector: { istio: 'egressgateway' },
    });
    const out = generateFor(ldsGenerator, gatewayMesh({ services: [elsewhere, notSelecting], gateways: [httpGateway] }), router('istio-system'));
    expect(namesOf(out)).toEqual(['0.0.0.0_80']);
  });

  it('resolves a named targetPort from the gateway pod own endpoint', () => {
    const svcPort = { name: 'http', port: 80, protocol: 'HTTP' as const, targetPort: 'http-alt' };
    const gatewayService = kubeService('istio-ingressgateway', 'istio-system', [svcPort], { selector: SELECTOR });
    const endpoints = {
      [fqdn('istio-ingressgateway', 'istio-system')]: [
        { address: '10.0.0.9', port: 8081, servicePortName: 'http', servicePort: 80, labels: SELECTOR, ready: true },
      ],
    };
    const out = generateFor(ldsGenerator, gatewayMesh({ services: [gatewayService], endpoints, gateways: [httpGateway] }), router('istio-system'));
    expect(namesOf(out)).toEqual(['0.0.0.0_8081']);
  });

  it('terminates HTTPS with the credentialName Secret over SDS, one SNI-matched chain per server', () => {
    const gw = gateway('bookinfo-gateway', 'istio-system', {
      selector: SELECTOR,
      servers: [
        httpsServer('https-bookinfo', ['bookinfo.example.com'], { mode: 'SIMPLE', credentialName: 'bookinfo-cert' }),
        httpsServer('https-helloworld', ['helloworld.example.com'], { mode: 'SIMPLE', credentialName: 'helloworld-cert' }),
      ],
    });
    const out = generateFor(ldsGenerator, gatewayMesh({ gateways: [gw] }), router('istio-system'));
    const listener = resourceNamed(out, '0.0.0.0_443');
    expect(listener['listenerFilters']).toEqual([
      { name: 'envoy.filters.listener.tls_inspector', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector' } },
    ]);
    const [bookinfo, helloworld] = chains(listener) as [Json, Json];
    expect(bookinfo['filterChainMatch']).toEqual({ serverNames: ['bookinfo.example.com'] });
    expect(helloworld['filterChainMatch']).toEqual({ serverNames: ['helloworld.example.com'] });
    expect(hcmOf(bookinfo)['rds']).toEqual({ configSource: ADS, routeConfigName: 'https.443.https-bookinfo.bookinfo-gateway.istio-system' });
    expect(hcmOf(helloworld)['rds']).toEqual({ configSource: ADS, routeConfigName: 'https.443.https-helloworld.bookinfo-gateway.istio-system' });
    expect((bookinfo['transportSocket'] as Json)['name']).toBe('envoy.transport_sockets.tls');
    expect(tlsOf(bookinfo)).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      commonTlsContext: {
        alpnProtocols: ['h2', 'http/1.1'],
        tlsCertificateSdsSecretConfigs: [{ name: 'kubernetes://bookinfo-cert', sdsConfig: ADS }],
      },
      requireClientCertificate: { value: false },
    });
    expect(bookinfo['transportSocketConnectTimeout']).toEqual({ seconds: 15 });
    expectValidOnTheWire(ListenerType, out);
  });

  it('validates clients for MUTUAL with the "-cacert" secret, and applies the server TLS parameters', () => {
    const gw = gateway('gw', 'istio-system', {
      selector: SELECTOR,
      servers: [
        httpsServer('https', ['httpbin.example.com'], {
          mode: 'MUTUAL',
          credentialName: 'httpbin-credential',
          subjectAltNames: ['client.example.com'],
          minProtocolVersion: 'TLSV1_2',
          cipherSuites: ['ECDHE-ECDSA-AES256-GCM-SHA384'],
        }),
      ],
    });
    const out = generateFor(ldsGenerator, gatewayMesh({ gateways: [gw] }), router('istio-system'));
    const tls = tlsOf(chains(resourceNamed(out, '0.0.0.0_443'))[0] as Json);
    expect(tls['requireClientCertificate']).toEqual({ value: true });
    expect(tls['commonTlsContext']).toEqual({
      alpnProtocols: ['h2', 'http/1.1'],
      tlsCertificateSdsSecretConfigs: [{ name: 'kubernetes://httpbin-credential', sdsConfig: ADS }],
      combinedValidationContext: {
        defaultValidationContext: { matchSubjectAltNames: [{ exact: 'client.example.com' }] },
        validationContextSdsSecretConfig: { name: 'kubernetes://httpbin-credential-cacert', sdsConfig: ADS },
      },
      tlsParams: { tlsMinimumProtocolVersion: 'TLSv1_2', cipherSuites: ['ECDHE-ECDSA-AES256-GCM-SHA384'] },
    });
    expectValidOnTheWire(ListenerType, out);
  });

  it('uses the workload certificate and mesh root for ISTIO_MUTUAL, and validates OPTIONAL_MUTUAL clients without requiring them', () => {
    const gw = gateway('gw', 'istio-system', {
      selector: SELECTOR,
      servers: [
        httpsServer('https-mesh', ['a.example.com'], { mode: 'ISTIO_MUTUAL' }),
        httpsServer('https-optional', ['b.example.com'], { mode: 'OPTIONAL_MUTUAL', credentialName: 'b-cert' }),
      ],
    });
    const out = generateFor(ldsGenerator, gatewayMesh({ gateways: [gw] }), router('istio-system'));
    const [mesh, optional] = chains(resourceNamed(out, '0.0.0.0_443')) as [Json, Json];
    expect(tlsOf(mesh)['requireClientCertificate']).toEqual({ value: true });
    expect((tlsOf(mesh)['commonTlsContext'] as Json)['tlsCertificateSdsSecretConfigs']).toEqual([{ name: 'default', sdsConfig: WORKLOAD_ADS }]);
    expect((tlsOf(mesh)['commonTlsContext'] as Json)['combinedValidationContext']).toEqual({
      defaultValidationContext: {},
      validationContextSdsSecretConfig: { name: 'ROOTCA', sdsConfig: WORKLOAD_ADS },
    });
    expect(tlsOf(optional)['requireClientCertificate']).toEqual({ value: false });
    expect(((tlsOf(optional)['commonTlsContext'] as Json)['combinedValidationContext'] as Json)['validationContextSdsSecretConfig']).toEqual({
      name: 'kubernetes://b-cert-cacert',
      sdsConfig: ADS,
    });
    expectValidOnTheWire(ListenerType, out);
  });

  it('drops a TLS server repeating a host already served on the port, as Istio mergeGateways does', () => {
    const first = gateway('a-first', 'istio-system', {
      selector: SELECTOR,
      servers: [httpsServer('https', ['bookinfo.example.com'], { mode: 'SIMPLE', credentialName: 'one' })],
    });
    const second = gateway('b-second', 'istio-system', {
      selector: SELECTOR,
      servers: [httpsServer('https', ['bookinfo.example.com', 'other.example.com'], { mode: 'SIMPLE', credentialName: 'two' })],
    });
    const out = generateFor(ldsGenerator, gatewayMesh({ gateways: [first, second] }), router('istio-system'));
    const all = chains(resourceNamed(out, '0.0.0.0_443'));
    expect(all).toHaveLength(1);
    expect(hcmOf(all[0] as Json)['rds']).toEqual({ configSource: ADS, routeConfigName: 'https.443.https.a-first.istio-system' });
  });

  it('merges HTTP servers of several Gateways on one port into one HCM, and drops a TCP server conflicting with them', () => {
    const other = gateway('other', 'default', {
      selector: SELECTOR,
      servers: [
        { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['other.example.com'] },
        { port: { number: 80, name: 'tcp', protocol: 'TCP' }, hosts: ['*'] },
      ],
    });
    const out = generateFor(ldsGenerator, gatewayMesh({ gateways: [httpGateway, other] }), router('istio-system'));
    const all = chains(resourceNamed(out, '0.0.0.0_80'));
    expect(all).toHaveLength(1);
    expect(hcmOf(all[0] as Json)['rds']).toEqual({ configSource: ADS, routeConfigName: 'http.80' });
  });

  it('proxies a TCP server by the VirtualService tcp route bound to its Gateway', () => {
    const gw = gateway('tcp-gateway', 'istio-system', { selector: SELECTOR, servers: [{ port: { number: 31400, name: 'tcp', protocol: 'TCP' }, hosts: ['*'] }] });
    const vs = virtualService('mysql', 'default', {
      hosts: ['*'],
      gateways: ['istio-system/tcp-gateway'],
      tcp: [{ match: [{ port: 31400 }], route: [{ destination: { host: fqdn('mysql'), port: { number: 3306 } } }] }],
    });
    const out = generateFor(ldsGenerator, gatewayMesh({ services: [mysql], gateways: [gw], virtualServices: [vs] }), router('istio-system'));
    const [chain] = chains(resourceNamed(out, '0.0.0.0_31400'));
    expect(chain?.['filterChainMatch']).toBeUndefined();
    expect(firstFilter(chain as Json)).toEqual({
      name: 'envoy.filters.network.tcp_proxy',
      typedConfig: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
        statPrefix: 'outbound|3306||mysql.default.svc.cluster.local',
        cluster: 'outbound|3306||mysql.default.svc.cluster.local',
      },
    });
    expectValidOnTheWire(ListenerType, out);
  });

  it('gives a TCP server without a matching tcp route no listener (Istio: "listener missed network filter")', () => {
    const gw = gateway('tcp-gateway', 'istio-system', { selector: SELECTOR, servers: [{ port: { number: 31400, name: 'tcp', protocol: 'TCP' }, hosts: ['*'] }] });
    const vs = virtualService('mysql', 'default', {
      hosts: ['*'],
      gateways: ['istio-system/tcp-gateway'],
      tcp: [{ match: [{ port: 9999 }], route: [{ destination: { host: fqdn('mysql') } }] }],
    });
    expect(generateFor(ldsGenerator, gatewayMesh({ services: [mysql], gateways: [gw], virtualServices: [vs] }), router('istio-system'))).toEqual([]);
  });

  it('routes PASSTHROUGH by the SNI hosts of the VirtualService tls routes, without terminating TLS', () => {
    const nginx = kubeService('my-nginx', 'default', [port(443, 'HTTPS', 'https')]);
    const gw = gateway('mygateway', 'istio-system', {
      selector: SELECTOR,
      servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['nginx.example.com'], tls: { mode: 'PASSTHROUGH' } }],
    });
    const vs = virtualService('nginx', 'default', {
      hosts: ['nginx.example.com'],
      gateways: ['istio-system/mygateway'],
      tls: [{ match: [{ port: 443, sniHosts: ['nginx.example.com'] }], route: [{ destination: { host: fqdn('my-nginx'), port: { number: 443 } } }] }],
    });
    const out = generateFor(ldsGenerator, gatewayMesh({ services: [nginx], gateways: [gw], virtualServices: [vs] }), router('istio-system'));
    const listener = resourceNamed(out, '0.0.0.0_443');
    expect((listener['listenerFilters'] as Json[]).map((f) => f['name'])).toEqual(['envoy.filters.listener.tls_inspector']);
    const [chain] = chains(listener) as [Json];
    expect(chain['filterChainMatch']).toEqual({ serverNames: ['nginx.example.com'] });
    expect(chain['transportSocket']).toBeUndefined();
    expect((firstFilter(chain)['typedConfig'] as Json)['cluster']).toBe('outbound|443||my-nginx.default.svc.cluster.local');
    expectValidOnTheWire(ListenerType, out);
  });

  it('terminates TLS on a TLS server and forwards by tcp route; ISTIO_MUTUAL offers Istio mTLS ALPNs there', () => {
    const gw = gateway('tls-gateway', 'istio-system', {
      selector: SELECTOR,
      servers: [
        { port: { number: 9443, name: 'tls-db', protocol: 'TLS' }, hosts: ['db.example.com'], tls: { mode: 'SIMPLE', credentialName: 'db-cert' } },
        { port: { number: 15443, name: 'tls-mesh', protocol: 'TLS' }, hosts: ['*'], tls: { mode: 'ISTIO_MUTUAL' } },
      ],
    });
    const vs = virtualService('db', 'default', {
      hosts: ['*'],
      gateways: ['istio-system/tls-gateway'],
      tcp: [{ route: [{ destination: { host: fqdn('mysql') } }] }],
    });
    const out = generateFor(ldsGenerator, gatewayMesh({ services: [mysql], gateways: [gw], virtualServices: [vs] }), router('istio-system'));
    const [db] = chains(resourceNamed(out, '0.0.0.0_9443')) as [Json];
    expect(db['filterChainMatch']).toEqual({ serverNames: ['db.example.com'] });
    expect((firstFilter(db)['typedConfig'] as Json)['cluster']).toBe('outbound|3306||mysql.default.svc.cluster.local');
    expect((tlsOf(db)['commonTlsContext'] as Json)['alpnProtocols']).toEqual(['h2', 'http/1.1']);
    const [mesh] = chains(resourceNamed(out, '0.0.0.0_15443')) as [Json];
    // A "*" host matches every SNI, so the chain has no server names to match.
    expect(mesh['filterChainMatch']).toBeUndefined();
    expect((tlsOf(mesh)['commonTlsContext'] as Json)['alpnProtocols']).toEqual(['istio-peer-exchange', 'istio']);
    expectValidOnTheWire(ListenerType, out);
  });

  it('splits a tcp route with several destinations by weight', () => {
    const gw = gateway('tcp-gateway', 'istio-system', { selector: SELECTOR, servers: [{ port: { number: 31400, name: 'tcp', protocol: 'TCP' }, hosts: ['*'] }] });
    const vs = virtualService('split', 'default', {
      hosts: ['*'],
      gateways: ['istio-system/tcp-gateway'],
      tcp: [{ route: [{ destination: { host: fqdn('mysql'), subset: 'v1' }, weight: 80 }, { destination: { host: fqdn('mysql'), subset: 'v2' }, weight: 20 }] }],
    });
    const out = generateFor(ldsGenerator, gatewayMesh({ services: [mysql], gateways: [gw], virtualServices: [vs] }), router('istio-system'));
    expect(firstFilter(chains(resourceNamed(out, '0.0.0.0_31400'))[0] as Json)['typedConfig']).toMatchObject({
      statPrefix: 'split.default',
      weightedClusters: {
        clusters: [
          { name: 'outbound|3306|v1|mysql.default.svc.cluster.local', weight: 80 },
          { name: 'outbound|3306|v2|mysql.default.svc.cluster.local', weight: 20 },
        ],
      },
    });
    expectValidOnTheWire(ListenerType, out);
  });

  it('matches AUTO_PASSTHROUGH connections by the SNI Istio clients send for each service cluster', () => {
    const gw = gateway('cross-network', 'istio-system', {
      selector: SELECTOR,
      servers: [{ port: { number: 15443, name: 'tls', protocol: 'TLS' }, hosts: ['*.local'], tls: { mode: 'AUTO_PASSTHROUGH' } }],
    });
    const out = generateFor(ldsGenerator, gatewayMesh({ services: [productpage], gateways: [gw] }), router('istio-system'));
    const [chain] = chains(resourceNamed(out, '0.0.0.0_15443')) as [Json];
    expect(chain['filterChainMatch']).toEqual({
      serverNames: ['outbound_.9080_._.productpage.default.svc.cluster.local'],
      applicationProtocols: ['istio', 'istio-peer-exchange', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2'],
    });
    expectValidOnTheWire(ListenerType, out);
  });

  it('keys proxies by their Gateways, namespace, port translation, applying security policies and workload SDS source only', () => {
    const snap = gatewayMesh({ gateways: [httpGateway] });
    const a = ldsGenerator.keyOf(router('istio-system', { ...SELECTOR, app: 'a' }, '10.0.0.1'), snap);
    const b = ldsGenerator.keyOf(router('istio-system', { ...SELECTOR, app: 'b' }, '10.0.0.2'), snap);
    expect(a).toEqual(b);
    expect(a).toEqual({ kind: 'router', namespace: 'istio-system', gateways: ['istio-system/bookinfo-gateway'], portTranslation: [], security: [], workloadSds: 'ads' });
    expect(ldsGenerator.keyOf(router('other'), snap)).not.toEqual(a);
  });

  it('puts only port translations that change a port in the key', () => {
    const gatewayService = kubeService('istio-ingressgateway', 'istio-system', [
      { name: 'http2', port: 80, protocol: 'HTTP2', targetPort: 8080 },
      { name: 'tcp', port: 31400, protocol: 'TCP', targetPort: 31400 },
      { name: 'https', port: 443, protocol: 'HTTPS' },
    ], { selector: SELECTOR });
    const snap = gatewayMesh({ services: [gatewayService], gateways: [httpGateway] });
    expect(ldsGenerator.keyOf(router('istio-system'), snap)).toMatchObject({ portTranslation: ['80:8080'] });
  });
});

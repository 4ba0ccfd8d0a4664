/**
 * Gateway route configurations, following Istio's buildGatewayHTTPRouteConfig
 * (pilot/pkg/networking/core/gateway.go): virtual hosts per bound
 * VirtualService host, named "<host>:<server port>".
 */
import { describe, expect, it } from 'vitest';
import { rdsGenerator } from '../../../../src/xds/gen/rds/rds-generator.js';
import { RouteType } from '../../../../src/xds/proto/type-urls.js';
import { generateFor, namesOf, resourceNamed } from '../helpers/generate.js';
import { fqdn, kubeService, port, proxy, virtualService } from '../helpers/mesh-builder.js';
import { expectValidOnTheWire, gateway, gatewayMesh, router } from './helpers/gateway-mesh.js';

type Json = Record<string, unknown>;
const SELECTOR = { istio: 'ingressgateway' };
const productpage = kubeService('productpage', 'default', [port(9080, 'HTTP', 'http')]);
const reviews = kubeService('reviews', 'default', [port(9080, 'HTTP', 'http')]);
const PRODUCTPAGE_CLUSTER = 'outbound|9080||productpage.default.svc.cluster.local';

function httpGateway(hosts: string[], tls?: Json): ReturnType<typeof gateway> {
  return gateway('bookinfo-gateway', 'istio-system', {
    selector: SELECTOR,
    servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts, ...(tls ? { tls } : {}) }],
  });
}

function bookinfoVs(hosts: string[], namespace = 'default', gateways = ['istio-system/bookinfo-gateway']): ReturnType<typeof virtualService> {
  return virtualService(`bookinfo-${hosts.length}`, namespace, {
    hosts,
    gateways,
    http: [{ match: [{ uri: { prefix: '/productpage' } }], route: [{ destination: { host: fqdn('productpage'), port: { number: 9080 } } }] }],
  });
}

const vhosts = (config: Json): Json[] => config['virtualHosts'] as Json[];
const clusterOf = (route: Json): unknown => (route['route'] as Json)['cluster'];

describe('gateway RDS', () => {
  it('gives "http.<port>" a virtual host per bound VirtualService host, routed by the VirtualService', () => {
    const snap = gatewayMesh({ services: [productpage], gateways: [httpGateway(['bookinfo.example.com'])], virtualServices: [bookinfoVs(['bookinfo.example.com'])] });
    const out = generateFor(rdsGenerator, snap, router('istio-system'));
    expect(namesOf(out)).toEqual(['http.80']);
    const config = resourceNamed(out, 'http.80');
    expect(config['ignorePortInHostMatching']).toBe(true);
    expect(config['validateClusters']).toEqual({ value: false });
    const [vhost] = vhosts(config) as [Json];
    expect(vhost['name']).toBe('bookinfo.example.com:80');
    expect(vhost['domains']).toEqual(['bookinfo.example.com']);
    const [route] = vhost['routes'] as [Json];
    expect(route['match']).toMatchObject({ prefix: '/productpage' });
    expect(clusterOf(route)).toBe(PRODUCTPAGE_CLUSTER);
    expectValidOnTheWire(RouteType, out);
  });

  it('answers 404 through a "blackhole:<port>" virtual host without routes when no VirtualService is bound', () => {
    const out = generateFor(rdsGenerator, gatewayMesh({ gateways: [httpGateway(['*'])] }), router('istio-system'));
    expect(vhosts(resourceNamed(out, 'http.80'))).toEqual([{ name: 'blackhole:80', domains: ['*'] }]);
    expectValidOnTheWire(RouteType, out);
  });

  it('binds a VirtualService whose hosts fall under a wildcard server host, with the narrower name', () => {
    const snap = gatewayMesh({ services: [productpage], gateways: [httpGateway(['*.example.com'])], virtualServices: [bookinfoVs(['a.example.com', 'other.org'])] });
    expect(vhosts(resourceNamed(generateFor(rdsGenerator, snap, router('istio-system')), 'http.80')).map((v) => v['name'])).toEqual(['a.example.com:80']);
  });

  it('binds only VirtualServices of the namespace a "namespace/host" server host names', () => {
    const inDefault = bookinfoVs(['bookinfo.example.com'], 'default');
    const inOther = virtualService('other', 'other', { ...bookinfoVs(['other.example.com']).spec, hosts: ['other.example.com'] });
    const snap = gatewayMesh({ services: [productpage], gateways: [httpGateway(['default/*'])], virtualServices: [inDefault, inOther] });
    expect(vhosts(resourceNamed(generateFor(rdsGenerator, snap, router('istio-system')), 'http.80')).map((v) => v['name'])).toEqual([
      'bookinfo.example.com:80',
    ]);
  });

  it('resolves "./host" server hosts to the Gateway namespace', () => {
    const inGatewayNamespace = virtualService('local', 'istio-system', { ...bookinfoVs(['local.example.com']).spec, hosts: ['local.example.com'] });
    const snap = gatewayMesh({ services: [productpage], gateways: [httpGateway(['./*'])], virtualServices: [inGatewayNamespace, bookinfoVs(['x.example.com'])] });
    expect(vhosts(resourceNamed(generateFor(rdsGenerator, snap, router('istio-system')), 'http.80')).map((v) => v['name'])).toEqual([
      'local.example.com:80',
    ]);
  });

  it('collapses hosts of one VirtualService into one virtual host named by the first host', () => {
    const snap = gatewayMesh({ services: [productpage], gateways: [httpGateway(['*'])], virtualServices: [bookinfoVs(['b.example.com', 'a.example.com'])] });
    const [vhost] = vhosts(resourceNamed(generateFor(rdsGenerator, snap, router('istio-system')), 'http.80')) as [Json];
    expect(vhost['name']).toBe('a.example.com:80');
    expect(vhost['domains']).toEqual(['a.example.com', 'b.example.com']);
  });

  it('requires TLS on every host of an httpsRedirect server, bound or not', () => {
    const snap = gatewayMesh({
      services: [productpage],
      gateways: [httpGateway(['bookinfo.example.com', 'unbound.example.com'], { httpsRedirect: true })],
      virtualServices: [bookinfoVs(['bookinfo.example.com'])],
    });
    const out = generateFor(rdsGenerator, snap, router('istio-system'));
    const byName = Object.fromEntries(vhosts(resourceNamed(out, 'http.80')).map((v) => [v['name'], v]));
    expect(byName['bookinfo.example.com:80']?.['requireTls']).toBe('ALL');
    expect(byName['unbound.example.com:80']).toEqual({ name: 'unbound.example.com:80', domains: ['unbound.example.com'], requireTls: 'ALL' });
    expectValidOnTheWire(RouteType, out);
  });

  it('gives each terminated HTTPS server its own route configuration with only its hosts', () => {
    const gw = gateway('gw', 'istio-system', {
      selector: SELECTOR,
      servers: [
        { port: { number: 443, name: 'https-a', protocol: 'HTTPS' }, hosts: ['a.example.com'], tls: { mode: 'SIMPLE', credentialName: 'a' } },
        { port: { number: 443, name: 'https-b', protocol: 'HTTPS' }, hosts: ['b.example.com'], tls: { mode: 'SIMPLE', credentialName: 'b' } },
      ],
    });
    const vs = bookinfoVs(['a.example.com', 'b.example.com'], 'default', ['istio-system/gw']);
    const out = generateFor(rdsGenerator, gatewayMesh({ services: [productpage], gateways: [gw], virtualServices: [vs] }), router('istio-system'));
    expect(namesOf(out)).toEqual(['https.443.https-a.gw.istio-system', 'https.443.https-b.gw.istio-system']);
    expect(vhosts(resourceNamed(out, 'https.443.https-a.gw.istio-system')).map((v) => v['name'])).toEqual(['a.example.com:443']);
    expect(vhosts(resourceNamed(out, 'https.443.https-b.gw.istio-system')).map((v) => v['name'])).toEqual(['b.example.com:443']);
    expectValidOnTheWire(RouteType, out);
  });

  it('names HTTP route configurations by the translated port, virtual hosts by the server port', () => {
    const gatewayService = kubeService('istio-ingressgateway', 'istio-system', [{ name: 'http2', port: 80, protocol: 'HTTP2', targetPort: 8080 }], {
      selector: SELECTOR,
    });
    const snap = gatewayMesh({
      services: [productpage, gatewayService],
      gateways: [httpGateway(['bookinfo.example.com'])],
      virtualServices: [bookinfoVs(['bookinfo.example.com'])],
    });
    const out = generateFor(rdsGenerator, snap, router('istio-system'));
    expect(namesOf(out)).toEqual(['http.8080']);
    expect(vhosts(resourceNamed(out, 'http.8080')).map((v) => v['name'])).toEqual(['bookinfo.example.com:80']);
  });

  it('applies a VirtualService bound to both "mesh" and the Gateway to sidecars and the gateway alike', () => {
    const vs = virtualService('reviews', 'default', {
      hosts: [fqdn('reviews')],
      gateways: ['mesh', 'istio-system/bookinfo-gateway'],
      http: [{ route: [{ destination: { host: fqdn('reviews'), subset: 'v2' } }] }],
    });
    const snap = gatewayMesh({ services: [productpage, reviews], gateways: [httpGateway([fqdn('reviews')])], virtualServices: [vs] });
    const gatewayRoute = (vhosts(resourceNamed(generateFor(rdsGenerator, snap, router('istio-system')), 'http.80'))[0]?.['routes'] as Json[])[0] as Json;
    expect(clusterOf(gatewayRoute)).toBe('outbound|9080|v2|reviews.default.svc.cluster.local');
    const sidecarConfig = resourceNamed(generateFor(rdsGenerator, snap, proxy('sidecar', 'default')), '9080');
    const sidecarHost = vhosts(sidecarConfig).find((v) => v['name'] === `${fqdn('reviews')}:9080`) as Json;
    expect(clusterOf((sidecarHost['routes'] as Json[])[0] as Json)).toBe('outbound|9080|v2|reviews.default.svc.cluster.local');
  });

  it('keeps a VirtualService bound only to the Gateway out of sidecar routes, and a "mesh"-only one out of the gateway', () => {
    const gatewayOnly = bookinfoVs([fqdn('productpage')]);
    const meshOnly = virtualService('reviews', 'default', { hosts: [fqdn('reviews')], http: [{ route: [{ destination: { host: fqdn('reviews'), subset: 'v3' } }] }] });
    const snap = gatewayMesh({ services: [productpage, reviews], gateways: [httpGateway(['*'])], virtualServices: [gatewayOnly, meshOnly] });
    const gatewayNames = vhosts(resourceNamed(generateFor(rdsGenerator, snap, router('istio-system')), 'http.80')).map((v) => v['name']);
    expect(gatewayNames).toEqual([`${fqdn('productpage')}:80`]);
    const sidecarHost = vhosts(resourceNamed(generateFor(rdsGenerator, snap, proxy('sidecar', 'default')), '9080')).find(
      (v) => v['name'] === `${fqdn('productpage')}:9080`,
    ) as Json;
    expect(((sidecarHost['routes'] as Json[])[0] as Json)['name']).toBe('default');
  });

  it('answers a route name no Gateway defines with an empty configuration, and ignores sidecar port names', () => {
    const out = generateFor(rdsGenerator, gatewayMesh({ gateways: [httpGateway(['*'])] }), router('istio-system'), ['http.9999', '80']);
    expect(namesOf(out)).toEqual(['http.9999']);
    expect(resourceNamed(out, 'http.9999')).toEqual({ name: 'http.9999', virtualHosts: [], validateClusters: { value: false } });
  });
});

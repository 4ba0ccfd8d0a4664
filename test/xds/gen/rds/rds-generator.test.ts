import { describe, expect, it } from 'vitest';
import type { HTTPRoute } from '../../../../src/model/types.js';
import { rdsGenerator } from '../../../../src/xds/gen/rds/rds-generator.js';
import { generateFor, namesOf, resourceNamed } from '../helpers/generate.js';
import { fqdn, kubeService, port, proxy, snapshot, virtualService } from '../helpers/mesh-builder.js';

const reviewsHost = fqdn('reviews');
const reviews = kubeService('reviews', 'default', [port(9080, 'HTTP', 'http')], { clusterIP: '10.96.0.12' });
const ratings = kubeService('ratings', 'default', [port(9080, 'HTTP', 'http')]);
const echo = kubeService('echo', 'echo', [port(7070, 'GRPC', 'grpc')]);

type VirtualHost = { name: string; domains: string[]; routes: Record<string, unknown>[] };
type RouteConfig = { name: string; virtualHosts: VirtualHost[]; validateClusters?: unknown };

function routesFor(http: readonly HTTPRoute[], kind: 'sidecar' | 'proxyless' = 'sidecar'): Record<string, unknown>[] {
  const snap = snapshot({ services: [reviews, ratings, echo], virtualServices: [virtualService('reviews', 'default', { hosts: [reviewsHost], http })] });
  const names = kind === 'sidecar' ? ['9080'] : ['reviews:9080'];
  const config = generateFor(rdsGenerator, snap, proxy(kind), names)[0]?.resource as unknown as RouteConfig;
  const vhost = config.virtualHosts.find((v) => v.name === `${reviewsHost}:9080`);
  if (!vhost) throw new Error('no reviews virtual host');
  return vhost.routes;
}

const subset = (name: string, weight?: number) => ({ destination: { host: reviewsHost, subset: name }, ...(weight === undefined ? {} : { weight }) });

describe('RDS route translation', () => {
  it('routes 60/30/10 between reviews subsets', () => {
    const [route] = routesFor([{ route: [subset('v1', 60), subset('v2', 30), subset('v3', 10)] }]);
    expect(route?.['route']).toMatchObject({
      weightedClusters: {
        clusters: [
          { name: `outbound|9080|v1|${reviewsHost}`, weight: { value: 60 } },
          { name: `outbound|9080|v2|${reviewsHost}`, weight: { value: 30 } },
          { name: `outbound|9080|v3|${reviewsHost}`, weight: { value: 10 } },
        ],
      },
    });
  });

  it('leaves zero-weight destinations out of a split', () => {
    const [route] = routesFor([{ route: [subset('v1', 100), subset('v2', 0)] }]);
    expect(route?.['route']).toMatchObject({ weightedClusters: { clusters: [{ name: `outbound|9080|v1|${reviewsHost}` }] } });
  });

  it('sends a single destination to its cluster', () => {
    const [route] = routesFor([{ route: [subset('v2')] }]);
    expect(route?.['route']).toMatchObject({ cluster: `outbound|9080|v2|${reviewsHost}` });
  });

  it("defaults the destination port to the destination service's only port", () => {
    const [route] = routesFor([{ route: [{ destination: { host: fqdn('echo', 'echo') } }] }]);
    expect(route?.['route']).toMatchObject({ cluster: `outbound|7070||${fqdn('echo', 'echo')}` });
  });

  it('translates uri, header and method matches, in order', () => {
    const routes = routesFor([
      { name: 'exact', match: [{ uri: { exact: '/health' } }], route: [subset('v1')] },
      { name: 'regex', match: [{ uri: { regex: '/api/v[0-9]+' }, headers: { 'x-b': { prefix: 'b' }, 'x-a': { exact: 'a' } } }], route: [subset('v2')] },
      { name: 'method', match: [{ uri: { prefix: '/reviews' }, method: { exact: 'POST' } }], route: [subset('v3')] },
    ]);
    expect(routes.map((r) => r['name'])).toEqual(['exact', 'regex', 'method']);
    expect(routes[0]?.['match']).toEqual({ path: '/health', caseSensitive: { value: true } });
    expect(routes[1]?.['match']).toEqual({
      safeRegex: { regex: '/api/v[0-9]+' },
      caseSensitive: { value: true },
      headers: [
        { name: 'x-a', stringMatch: { exact: 'a' } },
        { name: 'x-b', stringMatch: { prefix: 'b' } },
      ],
    });
    expect(routes[2]?.['match']).toMatchObject({ prefix: '/reviews', headers: [{ name: ':method', stringMatch: { exact: 'POST' } }] });
  });

  it('stops after a catch-all route, since Envoy could never reach the rest', () => {
    const routes = routesFor([{ name: 'all', route: [subset('v1')] }, { name: 'never', route: [subset('v2')] }]);
    expect(routes.map((r) => r['name'])).toEqual(['all']);
  });

  it("skips matches for another port and matches on source labels (not in this generator's key)", () => {
    const routes = routesFor([
      { name: 'other-port', match: [{ port: 8080 }], route: [subset('v1')] },
      { name: 'labels', match: [{ sourceLabels: { app: 'productpage' } }], route: [subset('v2')] },
      { name: 'rest', route: [subset('v3')] },
    ]);
    expect(routes.map((r) => r['name'])).toEqual(['rest']);
  });

  it('sets the VirtualService timeout, else disables the route timeout (0s)', () => {
    const [timed] = routesFor([{ route: [subset('v1')], timeout: '2.5s' }]);
    expect(timed?.['route']).toMatchObject({ timeout: { seconds: 2, nanos: 500_000_000 }, maxGrpcTimeout: { seconds: 2, nanos: 500_000_000 } });
    const [untimed] = routesFor([{ route: [subset('v1')] }]);
    expect(untimed?.['route']).toMatchObject({ timeout: { seconds: 0 } });
  });

  it('bounds gRPC deadlines with max_stream_duration for proxyless clients', () => {
    const [route] = routesFor([{ route: [subset('v1')], timeout: '3s' }], 'proxyless');
    expect(route?.['route']).toMatchObject({ timeout: { seconds: 3 }, maxStreamDuration: { maxStreamDuration: { seconds: 3 } } });
    expect(route?.['route']).not.toHaveProperty('maxGrpcTimeout');
  });
});

describe('RDS for sidecars', () => {
  const snap = snapshot({ services: [reviews, ratings, echo] });
  const configs = generateFor(rdsGenerator, snap, proxy('sidecar'));

  it('builds one route configuration per HTTP port, with a virtual host per service on it', () => {
    expect(namesOf(configs)).toEqual(['7070', '9080']);
    const config = resourceNamed(configs, '9080') as unknown as RouteConfig;
    expect(config.virtualHosts.map((v) => v.name)).toEqual([`${fqdn('ratings')}:9080`, `${reviewsHost}:9080`, 'allow_any']);
    expect(config.validateClusters).toEqual({ value: false });
  });

  it('routes a service without VirtualService straight to its cluster', () => {
    const config = resourceNamed(configs, '9080') as unknown as RouteConfig;
    expect(config.virtualHosts[1]?.routes).toEqual([
      {
        name: 'default',
        match: { prefix: '/' },
        // Istio's BuildDefaultHTTPOutboundRoute: no timeout, and the mesh's default retry policy.
        route: {
          cluster: `outbound|9080||${reviewsHost}`,
          timeout: { seconds: 0 },
          maxGrpcTimeout: { seconds: 0 },
          retryPolicy: {
            retryOn: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
            numRetries: { value: 2 },
            retryHostPredicate: [
              { name: 'envoy.retry_host_predicates.previous_hosts', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate' } },
            ],
            hostSelectionRetryMaxAttempts: 5,
          },
        },
        decorator: { operation: `${reviewsHost}:9080/*` },
      },
    ]);
  });

  it('ends with allow_any to PassthroughCluster, or a 502 under REGISTRY_ONLY', () => {
    const allowAny = (resourceNamed(configs, '9080') as unknown as RouteConfig).virtualHosts.at(-1);
    expect(allowAny).toMatchObject({ name: 'allow_any', domains: ['*'], routes: [{ route: { cluster: 'PassthroughCluster' } }] });
    const strict = snapshot({ services: [reviews], mesh: { outboundTrafficPolicy: 'REGISTRY_ONLY' } });
    const blockAll = (generateFor(rdsGenerator, strict, proxy('sidecar'))[0]?.resource as unknown as RouteConfig).virtualHosts.at(-1);
    expect(blockAll).toMatchObject({ name: 'block_all', routes: [{ directResponse: { status: 502 } }] });
  });

  it('answers any port-number name, and no other name', () => {
    const named = generateFor(rdsGenerator, snap, proxy('sidecar'), ['15000', 'reviews:9080']);
    expect(namesOf(named)).toEqual(['15000']);
    expect((named[0]?.resource as unknown as RouteConfig).virtualHosts.map((v) => v.name)).toEqual(['allow_any']);
  });

  it('never gives two virtual hosts the same domain', () => {
    const twin = kubeService('twin', 'default', [port(9080, 'HTTP', 'http')], { clusterIP: '10.96.0.12' });
    const config = generateFor(rdsGenerator, snapshot({ services: [reviews, twin] }), proxy('sidecar'))[0]?.resource as unknown as RouteConfig;
    const domains = config.virtualHosts.flatMap((v) => v.domains);
    expect(new Set(domains).size).toBe(domains.length);
  });
});

describe('RDS for proxyless gRPC', () => {
  const snap = snapshot({ services: [reviews, echo] });

  it('names the route configuration like the listener and matches the name as dialed', () => {
    const [config] = generateFor(rdsGenerator, snap, proxy('proxyless'), ['reviews']);
    expect(config?.name).toBe('reviews');
    const resource = config?.resource as unknown as RouteConfig;
    expect(resource.name).toBe('reviews');
    expect(resource.virtualHosts).toHaveLength(1);
    expect(resource.virtualHosts[0]?.domains).toEqual(expect.arrayContaining(['reviews', reviewsHost, `${reviewsHost}:9080`]));
  });

  it('resolves short names per namespace, so the key carries it', () => {
    expect(generateFor(rdsGenerator, snap, proxy('proxyless', 'echo'), ['reviews:9080'])).toEqual([]);
    expect(rdsGenerator.keyOf(proxy('proxyless', 'a'), snap)).not.toEqual(rdsGenerator.keyOf(proxy('proxyless', 'b'), snap));
  });
});

/**
 * One VirtualService and DestinationRule for "reviews" using every routing
 * and traffic-policy feature Istio has for HTTP routes, each on a route or
 * subset of its own, so a client that NACKs names the cluster or route
 * config and the feature is plain from it. A proxyless client subscribes to
 * every cluster its route config names, so routing to a subset is enough to
 * have that subset's cluster sent and checked.
 */
import { HASH_HEADER, destination, destinationRule, virtualService } from './traffic-routing.js';
import { SERVICE, type Manifest } from './traffic-mesh.js';

const UNARY_CALL = '/grpc.testing.TestService/UnaryCall';

function onHeader(header: string): { match: Array<Record<string, unknown>> } {
  return { match: [{ headers: { [header]: { exact: 'yes' } } }] };
}

export function richMesh(): Manifest[] {
  return [
    virtualService([
      { name: 'redirect', match: [{ uri: { prefix: '/grpc.testing.TestService/EmptyCall' } }], redirect: { uri: UNARY_CALL, authority: SERVICE } },
      {
        name: 'rewrite-and-headers',
        ...onHeader('x-rewrite'),
        rewrite: { uri: UNARY_CALL },
        route: [destination('v2')],
        headers: { request: { set: { 'x-set': 'a' }, add: { 'x-added': 'b' }, remove: ['x-removed'] }, response: { set: { 'x-answered': 'c' } } },
      },
      { name: 'mirror', ...onHeader('x-mirror'), route: [destination('v1')], mirror: { host: SERVICE, subset: 'v2' }, mirrorPercentage: { value: 50 } },
      {
        name: 'cors',
        ...onHeader('x-cors'),
        route: [destination('v1')],
        corsPolicy: { allowOrigins: [{ exact: 'https://example.com' }], allowMethods: ['POST'], allowHeaders: ['content-type'], maxAge: '24h' },
      },
      {
        name: 'resilience',
        ...onHeader('x-resilience'),
        route: [destination('flaky')],
        timeout: '5s',
        retries: { attempts: 2, retryOn: 'unavailable,cancelled', perTryTimeout: '2s' },
        fault: {
          delay: { fixedDelay: '10ms', percentage: { value: 0.1 } },
          abort: { grpcStatus: 'UNAVAILABLE', percentage: { value: 0.1 } },
        },
      },
      { name: 'ring-hash', ...onHeader('x-ring'), route: [destination('ring')] },
      { name: 'least-request', ...onHeader('x-least'), route: [destination('od')] },
      { name: 'tls-disabled', ...onHeader('x-tls'), route: [destination('slow')] },
      { name: 'cookie-hash', ...onHeader('x-cookie'), route: [destination('cb')] },
      {
        name: 'default',
        route: [
          { ...destination('v1'), weight: 50, headers: { request: { set: { 'x-weighted': 'v1' } } } },
          { ...destination('v2'), weight: 50 },
        ],
      },
    ]),
    destinationRule(
      {
        connectionPool: { tcp: { maxConnections: 100 }, http: { http2MaxRequests: 1000, maxRetries: 3 } },
        outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' },
        loadBalancer: { simple: 'ROUND_ROBIN', localityLbSetting: { enabled: true } },
      },
      {
        ring: { loadBalancer: { consistentHash: { httpHeaderName: HASH_HEADER } } },
        od: { loadBalancer: { simple: 'LEAST_REQUEST' } },
        // Not ISTIO_MUTUAL: that names the certificate providers pilot-agent writes into a proxyless app's bootstrap,
        // and grpc-js and C-core NACK a cluster naming one their bootstrap lacks (these clients' bootstraps have none).
        // test/interop/proxyless-mtls.test.ts covers ISTIO_MUTUAL with them.
        slow: { tls: { mode: 'DISABLE' } },
        cb: { loadBalancer: { consistentHash: { httpCookie: { name: 'session', ttl: '60s' } } } },
      },
    ),
  ];
}

/**
 * One VirtualService using every HTTP route feature, through a delegate:
 * the route configuration a sidecar and a proxyless gRPC client get passes
 * Envoy's validate.rules and survives a trip through the protos.
 */
import { describe, expect, it } from 'vitest';
import type { HTTPRoute } from '../../../../src/model/types.js';
import type { GeneratedResource } from '../../../../src/xds/gen/generator.js';
import { rdsGenerator } from '../../../../src/xds/gen/rds/rds-generator.js';
import { typeForUrl } from '../../../../src/xds/proto/envoy-protos.js';
import { RouteType } from '../../../../src/xds/proto/type-urls.js';
import { envoyValidator } from '../../../../src/xds/validate/envoy-validator.js';
import { generateFor } from '../helpers/generate.js';
import { destinationRule, proxy, virtualService } from '../helpers/mesh-builder.js';
import { canonical } from '../helpers/proto-round-trip.js';
import { RATINGS, REVIEWS, routeMesh } from './helpers/route-mesh.js';

const http: readonly HTTPRoute[] = [
  {
    name: 'matches',
    match: [
      {
        name: 'all',
        uri: { regex: '/api/v[0-9]+/.*' },
        ignoreUriCase: true,
        headers: { 'x-user': { exact: 'jason' }, 'x-any': { regex: '*' } },
        withoutHeaders: { 'x-canary': { prefix: 'no' }, 'x-debug': {} },
        queryParams: { lang: { prefix: 'en' }, debug: {} },
        method: { exact: 'GET' },
        authority: { prefix: 'reviews' },
        scheme: { exact: 'http' },
        port: 9080,
        sourceNamespace: 'default',
        statPrefix: 'matches',
      },
    ],
    route: [
      { destination: { host: REVIEWS, subset: 'v1' }, weight: 70, headers: { request: { set: { 'x-version': 'v1' } } } },
      { destination: { host: REVIEWS, subset: 'v2', port: { number: 9080 } }, weight: 30, headers: { request: { set: { ':authority': 'canary' } } } },
    ],
    timeout: '3s',
    retries: { attempts: 3, perTryTimeout: '1s', retryOn: '5xx,503,unavailable', retryRemoteLocalities: true, backoff: '50ms' },
    fault: { delay: { fixedDelay: '10ms', percentage: { value: 0.1 } }, abort: { grpcStatus: 'UNAVAILABLE', percentage: { value: 1 } } },
    mirrors: [{ destination: { host: RATINGS }, percentage: { value: 5 } }],
    corsPolicy: { allowOrigins: [{ exact: 'https://example.com' }, { regex: 'https://.*\\.example\\.org' }], allowMethods: ['GET'], maxAge: '1h', allowCredentials: false },
    headers: { request: { add: { 'x-route': 'matches' }, remove: ['x-secret'] }, response: { set: { 'x-served-by': 'tsiod' }, remove: ['server'] } },
  },
  { name: 'rewrite', match: [{ uri: { prefix: '/v1/' } }], rewrite: { uri: '/', authority: 'reviews.internal' }, route: [{ destination: { host: REVIEWS } }], mirror: { host: RATINGS }, mirrorPercentage: { value: 50 } },
  { name: 'regex-rewrite', match: [{ uri: { prefix: '/r/' } }], rewrite: { uriRegexRewrite: { match: '^/r/(.*)$', rewrite: '/\\1' } }, route: [{ destination: { host: REVIEWS } }], retries: { attempts: 0 } },
  { name: 'moved', match: [{ uri: { exact: '/old' } }], redirect: { uri: '/new', authority: 'example.com', scheme: 'https', port: 8443, redirectCode: 308 } },
  { name: 'derived', match: [{ uri: { exact: '/derived' } }], redirect: { derivePort: 'FROM_REQUEST_PORT' } },
  { name: 'teapot', match: [{ uri: { exact: '/teapot' } }], directResponse: { status: 418, body: { string: "I'm a teapot" } } },
  { name: 'session', match: [{ uri: { prefix: '/cart' } }], route: [{ destination: { host: RATINGS } }] },
  { name: 'delegated', match: [{ uri: { prefix: '/shop' } }], delegate: { name: 'shop', namespace: 'default' }, timeout: '7s' },
];

const shop = virtualService('shop', 'default', {
  hosts: [],
  http: [
    { name: 'checkout', match: [{ uri: { prefix: '/shop/checkout' } }], route: [{ destination: { host: RATINGS } }] },
    { name: 'rest', route: [{ destination: { host: REVIEWS, subset: 'v1' } }] },
  ],
});

const mesh = routeMesh(http, {
  virtualServices: [shop],
  destinationRules: [
    destinationRule('reviews', 'default', { host: REVIEWS, subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'x-user' } } } }] }),
    destinationRule('ratings', 'default', { host: RATINGS, trafficPolicy: { loadBalancer: { consistentHash: { httpCookie: { name: 'session', ttl: '0s', path: '/' } } } } }),
  ],
});

function expectValidOnTheWire(resources: readonly GeneratedResource[]): void {
  const type = typeForUrl(RouteType);
  for (const r of resources) {
    const bytes = type.encode(type.fromObject(r.resource as Record<string, unknown>)).finish();
    expect(envoyValidator().validateEncoded(type, bytes).map((v) => `${r.name}: ${v.rule} @ ${v.path}`)).toEqual([]);
    const decoded = type.toObject(type.decode(bytes), { enums: String, longs: Number, bytes: String, defaults: false, json: true });
    expect(canonical(decoded), r.name).toEqual(canonical(r.resource));
  }
}

describe('every HTTP route feature together is valid Envoy config', () => {
  it('for a sidecar', () => {
    const configs = generateFor(rdsGenerator, mesh, proxy('sidecar'), ['9080']);
    const json = JSON.stringify(configs);
    for (const fragment of ['invertMatch', 'queryParameters', 'retryPriority', 'envoy.filters.http.fault', 'envoy.filters.http.cors', 'requestMirrorPolicies', 'regexRewrite', 'hostRewriteLiteral', 'PERMANENT_REDIRECT', 'directResponse', '"cookie"', 'checkout']) {
      expect(json, fragment).toContain(fragment);
    }
    expectValidOnTheWire(configs);
  });

  it('for a proxyless gRPC client', () => {
    const configs = generateFor(rdsGenerator, mesh, proxy('proxyless'), ['reviews:9080']);
    const json = JSON.stringify(configs);
    expect(json).toContain('envoy.filters.http.fault');
    expect(json).not.toContain('envoy.filters.http.cors');
    expect(json).not.toContain('directResponse');
    expect(json).not.toContain('"redirect"');
    expectValidOnTheWire(configs);
  });
});

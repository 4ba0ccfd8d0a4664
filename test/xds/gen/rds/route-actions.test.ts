/**
 * Route actions, from Istio's TranslateRoute, ApplyRedirect,
 * ApplyDirectResponse and applyHTTPRouteDestination.
 */
import { describe, expect, it } from 'vitest';
import { RATINGS, REVIEWS, routesOf, toReviews, translateWith } from './helpers/route-mesh.js';

const only = (routes: Record<string, unknown>[]): Record<string, unknown> => {
  expect(routes).toHaveLength(1);
  return routes[0] as Record<string, unknown>;
};

describe('redirects', () => {
  it('redirects uri and authority with 301 (MOVED_PERMANENTLY) by default', () => {
    const route = only(routesOf([{ match: [{ uri: { exact: '/old' } }], redirect: { uri: '/new', authority: 'new.example.com' } }]));
    expect(route['redirect']).toEqual({ hostRedirect: 'new.example.com', pathRedirect: '/new', responseCode: 'MOVED_PERMANENTLY' });
    expect(route['route']).toBeUndefined();
  });

  it('maps redirect codes 302, 303, 307 and 308 to their Envoy names', () => {
    const codes = [302, 303, 307, 308].map((redirectCode) => (only(routesOf([{ redirect: { uri: '/x', redirectCode } }]))['redirect'] as Record<string, unknown>)['responseCode']);
    expect(codes).toEqual(['FOUND', 'SEE_OTHER', 'TEMPORARY_REDIRECT', 'PERMANENT_REDIRECT']);
  });

  it('drops a route whose redirect code Envoy cannot send', () => {
    expect(translateWith([{ match: [{ uri: { prefix: '/a' } }], redirect: { uri: '/x', redirectCode: 304 } }], {})).toEqual([]);
  });

  it('sets scheme and port, the request port for FROM_REQUEST_PORT, and leaves out :80 for http and :443 for https', () => {
    expect(only(routesOf([{ redirect: { scheme: 'https', port: 8443 } }]))['redirect']).toEqual({ schemeRedirect: 'https', portRedirect: 8443, responseCode: 'MOVED_PERMANENTLY' });
    expect(only(routesOf([{ redirect: { derivePort: 'FROM_REQUEST_PORT' } }]))['redirect']).toEqual({ portRedirect: 9080, responseCode: 'MOVED_PERMANENTLY' });
    expect(only(routesOf([{ redirect: { port: 80 } }]))['redirect']).toEqual({ responseCode: 'MOVED_PERMANENTLY' });
    expect(only(translateWith([{ redirect: { port: 443 } }], { tls: true }))['redirect']).toEqual({ responseCode: 'MOVED_PERMANENTLY' });
  });
});

describe('direct responses', () => {
  it('answers with the status and an inline body', () => {
    expect(only(routesOf([{ directResponse: { status: 503, body: { string: 'unavailable' } } }]))['directResponse']).toEqual({ status: 503, body: { inlineString: 'unavailable' } });
    expect(only(routesOf([{ directResponse: { status: 200, body: { bytes: 'aGk=' } } }]))['directResponse']).toEqual({ status: 200, body: { inlineBytes: 'aGk=' } });
  });
});

describe('rewrites', () => {
  it('rewrites the matched prefix, which for an exact match is the whole path', () => {
    const [prefix, exact] = routesOf([
      { match: [{ uri: { prefix: '/v1/' } }], rewrite: { uri: '/' }, route: toReviews() },
      { match: [{ uri: { exact: '/health' } }], rewrite: { uri: '/healthz' }, route: toReviews() },
    ]);
    expect(prefix?.['route']).toMatchObject({ prefixRewrite: '/' });
    expect(exact?.['route']).toMatchObject({ prefixRewrite: '/healthz' });
  });

  it('rewrites the authority literally and the path by regex', () => {
    const route = only(routesOf([{ rewrite: { authority: 'internal.reviews', uriRegexRewrite: { match: '^/api/(.*)$', rewrite: '/\\1' } }, route: toReviews() }]));
    expect(route['route']).toMatchObject({ hostRewriteLiteral: 'internal.reviews', regexRewrite: { pattern: { regex: '^/api/(.*)$' }, substitution: '/\\1' } });
    expect(route['route']).not.toHaveProperty('prefixRewrite');
  });
});

describe('destinations and timeouts', () => {
  it('uses the destination port when given, else the listener port for a multi-port service', () => {
    const [explicit] = routesOf([{ route: [{ destination: { host: REVIEWS, port: { number: 9090 } } }] }]);
    expect(explicit?.['route']).toMatchObject({ cluster: `outbound|9090||${REVIEWS}` });
    const [implicit] = routesOf([{ route: toReviews('v1') }]);
    expect(implicit?.['route']).toMatchObject({ cluster: `outbound|9080|v1|${REVIEWS}` });
  });

  it('uses the VirtualService timeout for the route and gRPC deadlines (max_grpc_timeout on Envoy, max_stream_duration on gRPC)', () => {
    const http = [{ timeout: '2.5s', route: toReviews() }];
    expect(only(routesOf(http))['route']).toMatchObject({ timeout: { seconds: 2, nanos: 500_000_000 }, maxGrpcTimeout: { seconds: 2, nanos: 500_000_000 } });
    expect(only(routesOf(http, 'proxyless'))['route']).toMatchObject({ timeout: { seconds: 2, nanos: 500_000_000 }, maxStreamDuration: { maxStreamDuration: { seconds: 2, nanos: 500_000_000 } } });
  });

  it('splits by weight across hosts', () => {
    const route = only(routesOf([{ route: [{ destination: { host: REVIEWS }, weight: 75 }, { destination: { host: RATINGS }, weight: 25 }] }]));
    expect(route['route']).toMatchObject({
      weightedClusters: { clusters: [{ name: `outbound|9080||${REVIEWS}`, weight: { value: 75 } }, { name: `outbound|9080||${RATINGS}`, weight: { value: 25 } }] },
    });
  });
});

/**
 * HTTPMatchRequest → RouteMatch, from Istio's TranslateRouteMatch and
 * sourceMatchHTTP, and Envoy's RouteMatch fields.
 */
import { describe, expect, it } from 'vitest';
import { routesOf, toReviews, translateWith } from './helpers/route-mesh.js';

const matchOf = (match: Parameters<typeof routesOf>[0][number]['match']): unknown => routesOf([{ match, route: toReviews() }])[0]?.['match'];

describe('route match translation', () => {
  it('turns uri exact, prefix and regex into path, prefix and safeRegex, case-sensitive', () => {
    expect(matchOf([{ uri: { exact: '/health' } }])).toEqual({ path: '/health', caseSensitive: { value: true } });
    expect(matchOf([{ uri: { prefix: '/api' } }])).toEqual({ prefix: '/api', caseSensitive: { value: true } });
    expect(matchOf([{ uri: { regex: '/v[0-9]+/.*' } }])).toEqual({ safeRegex: { regex: '/v[0-9]+/.*' }, caseSensitive: { value: true } });
  });

  it('makes the path case-insensitive for ignoreUriCase', () => {
    expect(matchOf([{ uri: { prefix: '/API' }, ignoreUriCase: true }])).toEqual({ prefix: '/API', caseSensitive: { value: false } });
  });

  it('matches headers, and inverts withoutHeaders with a missing header read as empty', () => {
    expect(matchOf([{ headers: { 'x-user': { exact: 'jason' } }, withoutHeaders: { 'x-canary': { prefix: 'yes' }, 'x-debug': {} } }])).toEqual({
      prefix: '/',
      caseSensitive: { value: true },
      headers: [
        { name: 'x-canary', stringMatch: { prefix: 'yes' }, invertMatch: true, treatMissingHeaderAsEmpty: true },
        // An empty match is "present"; Envoy rejects treat_missing_header_as_empty beside present_match, so Istio leaves it out.
        { name: 'x-debug', presentMatch: true, invertMatch: true },
        { name: 'x-user', stringMatch: { exact: 'jason' } },
      ],
    });
  });

  it('reads regex "*" as header presence', () => {
    expect(matchOf([{ headers: { 'x-any': { regex: '*' } } }])).toMatchObject({ headers: [{ name: 'x-any', presentMatch: true }] });
  });

  it('puts method, authority and scheme after the headers as pseudo-headers', () => {
    expect(matchOf([{ headers: { 'x-a': { exact: 'a' } }, method: { exact: 'GET' }, authority: { prefix: 'reviews' }, scheme: { exact: 'https' } }])).toMatchObject({
      headers: [
        { name: 'x-a', stringMatch: { exact: 'a' } },
        { name: ':method', stringMatch: { exact: 'GET' } },
        { name: ':authority', stringMatch: { prefix: 'reviews' } },
        { name: ':scheme', stringMatch: { exact: 'https' } },
      ],
    });
  });

  it('matches query parameters by exact, prefix, regex or presence', () => {
    expect(matchOf([{ queryParams: { version: { exact: 'v2' }, lang: { prefix: 'en' }, id: { regex: '[0-9]+' }, debug: {} } }])).toMatchObject({
      queryParameters: [
        { name: 'debug', presentMatch: true },
        { name: 'id', stringMatch: { safeRegex: { regex: '[0-9]+' } } },
        { name: 'lang', stringMatch: { prefix: 'en' } },
        { name: 'version', stringMatch: { exact: 'v2' } },
      ],
    });
  });

  it('keeps a match only on its port', () => {
    const routes = routesOf([
      { name: 'admin', match: [{ port: 9090 }], route: toReviews('v2') },
      { name: 'web', match: [{ port: 9080 }], route: toReviews('v1') },
    ]);
    expect(routes.map((r) => r['name'])).toEqual(['web']);
  });

  it('keeps a match naming gateways only for those gateways, whatever its source labels', () => {
    const http = [{ name: 'gw', match: [{ gateways: ['istio-system/ingress'], sourceLabels: { app: 'nobody' } }], route: toReviews() }];
    expect(translateWith(http, {})).toEqual([]);
    expect(translateWith(http, { gateway: 'istio-system/ingress' }).map((r) => r['name'])).toEqual(['gw']);
  });

  it("keeps a sourceLabels match only for clients carrying all of those labels", () => {
    const http = [
      { name: 'from-v2', match: [{ sourceLabels: { app: 'productpage', version: 'v2' } }], route: toReviews('v2') },
      { name: 'rest', route: toReviews('v1') },
    ];
    // For a matching client the sourceLabels route matches every request, so nothing after it is sent (Istio's IsCatchAllRoute).
    expect(translateWith(http, { proxyLabels: { app: 'productpage', version: 'v2' } }).map((r) => r['name'])).toEqual(['from-v2']);
    expect(translateWith(http, { proxyLabels: { app: 'productpage', version: 'v1' } }).map((r) => r['name'])).toEqual(['rest']);
    expect(translateWith(http, {}).map((r) => r['name'])).toEqual(['rest']);
  });

  it('keeps a sourceNamespace match only for clients in that namespace', () => {
    const http = [{ name: 'from-shop', match: [{ sourceNamespace: 'shop' }], route: toReviews() }];
    expect(translateWith(http, { proxyNamespace: 'shop' }).map((r) => r['name'])).toEqual(['from-shop']);
    expect(translateWith(http, { proxyNamespace: 'default' })).toEqual([]);
  });

  it('names a route "<route>.<match>" and carries the match statPrefix', () => {
    const [route] = routesOf([{ name: 'reviews', match: [{ name: 'api', uri: { prefix: '/api' }, statPrefix: 'reviews_api' }], route: toReviews() }]);
    expect(route).toMatchObject({ name: 'reviews.api', statPrefix: 'reviews_api' });
  });
});

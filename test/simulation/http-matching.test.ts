/** Virtual host and route selection inside one HTTP connection manager. */
import { describe, expect, it } from 'vitest';
import { chain, edsCluster, listener, resources, routeConfig, routeTo, sidecarListeners, virtualHost } from './hand-written-resources.js';
import { simulate } from './simulate.js';
import type { SimulatedRequest } from './request.js';
import type { NamedResource } from './xds-view.js';

function mesh(config: NamedResource, clusters: readonly string[]) {
  return resources({ listeners: sidecarListeners([80]), routes: [config], clusters: clusters.map((c) => edsCluster(c)) });
}
const get = (extra: Partial<SimulatedRequest>): SimulatedRequest => ({ protocol: 'http', address: '10.96.0.1', port: 80, ...extra });

describe('virtual host selection', () => {
  const config = routeConfig('80', [
    virtualHost('catch-all', ['*'], [routeTo('any')]),
    virtualHost('prefix', ['api.*'], [routeTo('prefix')]),
    virtualHost('short-suffix', ['*.com'], [routeTo('short')]),
    virtualHost('long-suffix', ['*.example.com'], [routeTo('long')]),
    virtualHost('exact', ['www.example.com', 'www.example.com:80'], [routeTo('exact')]),
  ]);
  const r = mesh(config, ['any', 'prefix', 'short', 'long', 'exact']);
  const vhostFor = (authority: string) => simulate(r, get({ authority })).http?.virtualHost;

  it('takes an exact domain first, port-included forms too', () => {
    expect(vhostFor('www.example.com')).toBe('exact');
    expect(vhostFor('WWW.Example.com:80')).toBe('exact');
  });

  it('then the longest suffix wildcard, then a prefix wildcard, then "*"', () => {
    expect(vhostFor('shop.example.com')).toBe('long-suffix');
    expect(vhostFor('shop.com')).toBe('short-suffix');
    expect(vhostFor('api.internal')).toBe('prefix');
    expect(vhostFor('reviews:9080')).toBe('catch-all');
  });

  it('ignores the port when the route configuration says so', () => {
    const ignoring = mesh(routeConfig('80', [virtualHost('exact', ['reviews'], [routeTo('c')])], { ignorePortInHostMatching: true }), ['c']);
    expect(simulate(ignoring, get({ authority: 'reviews:9080' })).http?.virtualHost).toBe('exact');
    const strict = mesh(routeConfig('80', [virtualHost('exact', ['reviews'], [routeTo('c')])]), ['c']);
    expect(() => simulate(strict, get({ authority: 'reviews:9080' }))).toThrow(/no virtual host for "reviews:9080" among: exact \[reviews\]/);
  });
});

describe('route selection', () => {
  const config = routeConfig('80', [
    virtualHost('vh', ['*'], [
      routeTo('jason', { prefix: '/', headers: [{ name: 'end-user', stringMatch: { exact: 'jason' } }] }),
      routeTo('regex-header', { prefix: '/', headers: [{ name: 'user-agent', stringMatch: { safeRegex: { regex: '.*oktay.*' } } }] }),
      routeTo('not-beta', { prefix: '/beta', headers: [{ name: 'x-beta', stringMatch: { exact: 'yes' }, invertMatch: true }] }),
      routeTo('present', { prefix: '/', headers: [{ name: 'x-canary', presentMatch: true }] }),
      routeTo('exact-path', { path: '/productpage', caseSensitive: { value: true } }),
      routeTo('any-case', { prefix: '/static', caseSensitive: { value: false } }),
      routeTo('separated', { pathSeparatedPrefix: '/api' }),
      routeTo('regex-path', { safeRegex: { regex: '/v[0-9]+/items' } }),
      routeTo('query', { prefix: '/search', queryParameters: [{ name: 'q', stringMatch: { prefix: 'book' } }] }),
      routeTo('method', { prefix: '/', headers: [{ name: ':method', stringMatch: { exact: 'POST' } }] }),
      { name: 'fallback', match: { prefix: '/' }, route: { cluster: 'fallback' } },
    ]),
  ]);
  const r = mesh(config, ['jason', 'regex-header', 'not-beta', 'present', 'exact-path', 'any-case', 'separated', 'regex-path', 'query', 'method', 'fallback']);
  const clusterFor = (extra: Partial<SimulatedRequest>): string | undefined => {
    const action = simulate(r, get(extra)).http?.action;
    return action?.kind === 'forward' ? action.targets[0]?.cluster : undefined;
  };

  it('takes the first route whose headers match, exact and regex (a full match)', () => {
    expect(clusterFor({ headers: { 'End-User': 'jason' } })).toBe('jason');
    expect(clusterFor({ headers: { 'end-user': 'jasonx' } })).toBe('fallback');
    expect(clusterFor({ headers: { 'user-agent': 'curl oktay 7' } })).toBe('regex-header');
  });

  it('inverts a header match, and a missing header then matches', () => {
    expect(clusterFor({ path: '/beta' })).toBe('not-beta');
    expect(clusterFor({ path: '/beta', headers: { 'x-beta': 'no' } })).toBe('not-beta');
    expect(clusterFor({ path: '/beta', headers: { 'x-beta': 'yes' } })).toBe('fallback');
  });

  it('matches header presence', () => {
    expect(clusterFor({ headers: { 'x-canary': '' } })).toBe('present');
  });

  it('matches paths: exact, prefix without case, separated prefix, regex; never the query string', () => {
    expect(clusterFor({ path: '/productpage' })).toBe('exact-path');
    expect(clusterFor({ path: '/productpage?u=normal' })).toBe('exact-path');
    expect(clusterFor({ path: '/ProductPage' })).toBe('fallback');
    expect(clusterFor({ path: '/STATIC/app.js' })).toBe('any-case');
    expect(clusterFor({ path: '/api' })).toBe('separated');
    expect(clusterFor({ path: '/api/v1' })).toBe('separated');
    expect(clusterFor({ path: '/apis' })).toBe('fallback');
    expect(clusterFor({ path: '/v2/items' })).toBe('regex-path');
    expect(clusterFor({ path: '/v2/items/1' })).toBe('fallback');
  });

  it('matches query parameters and the method pseudo-header', () => {
    expect(clusterFor({ path: '/search?q=books' })).toBe('query');
    expect(clusterFor({ path: '/search?q=music' })).toBe('fallback');
    expect(clusterFor({ method: 'POST' })).toBe('method');
  });

  it('reports the matched route by name, index and match', () => {
    const route = simulate(r, get({ path: '/x' })).http?.route;
    expect(route).toEqual({ name: 'fallback', index: 10, match: { prefix: '/' } });
  });

  it('says which routes it tried when none matches', () => {
    const narrow = mesh(routeConfig('80', [virtualHost('vh', ['*'], [routeTo('c', { path: '/only' })])]), ['c']);
    expect(() => simulate(narrow, get({ path: '/other' }))).toThrow(/virtual host vh: no route matches GET \/other among: #0/);
  });
});

describe('route configuration sources and host ports', () => {
  const inlineConfig = { name: 'inbound|80||', virtualHosts: [virtualHost('inbound|http|80', ['*'], [routeTo('inbound|80||')])] };
  const hcmWith = (extra: Record<string, unknown>) => ({
    name: 'envoy.filters.network.http_connection_manager',
    typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', statPrefix: 'x', ...extra },
  });

  it('uses a route configuration carried inline by the connection manager', () => {
    const r = resources({
      listeners: [listener('0.0.0.0_80', '0.0.0.0', 80, { filterChains: [chain('inline', [hcmWith({ routeConfig: inlineConfig })])] })],
      clusters: [edsCluster('inbound|80||')],
    });
    const http = simulate(r, { protocol: 'http', mode: 'gateway', address: '10.244.1.10', port: 80 }).http;
    expect(http).toMatchObject({ routeConfig: 'inbound|80||', inlineRouteConfig: true, virtualHost: 'inbound|http|80' });
  });

  it('strips the port from Host when the connection manager says so: any port, or only the listener port', () => {
    const exactOnly = routeConfig('80', [virtualHost('exact', ['reviews'], [routeTo('c')])]);
    const withHcm = (extra: Record<string, unknown>) =>
      resources({
        listeners: [listener('0.0.0.0_80', '0.0.0.0', 80, { filterChains: [chain('', [hcmWith({ rds: { routeConfigName: '80' }, ...extra })])] })],
        routes: [exactOnly],
        clusters: [edsCluster('c')],
      });
    const at = (r: ReturnType<typeof withHcm>, authority: string) => simulate(r, { protocol: 'http', mode: 'gateway', address: '1.1.1.1', port: 80, authority }).http?.virtualHost;
    expect(at(withHcm({ stripAnyHostPort: true }), 'reviews:9080')).toBe('exact');
    expect(at(withHcm({ stripMatchingHostPort: true }), 'reviews:80')).toBe('exact');
    expect(() => at(withHcm({ stripMatchingHostPort: true }), 'reviews:9080')).toThrow(/no virtual host for "reviews:9080"/);
  });
});

/**
 * The authz golden case (test/golden/gen/authz.in.yaml) through the real
 * pipeline: where the security filters land on each proxy's chains (Istio's
 * order: CUSTOM, jwt_authn, AUDIT, DENY, ALLOW before the route filters or
 * the tcp_proxy; none on outbound or AUTO_PASSTHROUGH chains), that every
 * resource passes Envoy's validate.rules and survives the protos, and which
 * requests Envoy would let through, decided by the simulator from the
 * RBAC config alone and expected from the policies' documented meaning.
 */
import { describe, expect, it } from 'vitest';
import type { ProxyNode } from '../../../../src/model/proxy.js';
import type { MeshSnapshot } from '../../../../src/model/types.js';
import { ldsGenerator } from '../../../../src/xds/gen/lds/lds-generator.js';
import { proxyConfig, wireProblems } from '../../../integration/seed-examples/helpers/proxy-config.js';
import { authorize, type Caller } from '../../../simulation/authorization.js';
import type { SimulatedRequest } from '../../../simulation/request.js';
import { generateFor } from '../helpers/generate.js';
import { loadGoldenCase } from '../helpers/golden-case.js';

type Json = Record<string, unknown>;

const golden = loadGoldenCase('authz');
const snapshot: MeshSnapshot = golden.snapshot;
const node = (label: string): ProxyNode => {
  const found = golden.proxies.find((p) => p.label === label);
  if (!found) throw new Error(`no proxy ${label}`);
  return found.node;
};
const resources = Object.fromEntries(golden.proxies.map((p) => [p.label, proxyConfig(snapshot, p.node)]));

const HTTPBIN_IP = '10.244.1.20';
const MTLS_HTTP = ['istio-http/1.1', 'istio', 'http/1.1'];
const MTLS_TCP = ['istio-peer-exchange', 'istio'];
const SLEEP: Caller = { sourceIp: '10.244.2.10', peerPrincipal: 'spiffe://cluster.local/ns/bar/sa/sleep' };

function httpbin(request: Partial<SimulatedRequest> & { headers?: Record<string, string> }): SimulatedRequest {
  return {
    protocol: 'https',
    mode: 'inbound',
    address: HTTPBIN_IP,
    port: 80,
    alpn: MTLS_HTTP,
    authority: 'httpbin.foo.svc.cluster.local',
    method: 'GET',
    path: '/headers',
    ...request,
    headers: { 'x-user': 'alice', ...request.headers },
  };
}

function filterNames(filters: unknown): string[] {
  return (filters as Json[]).map((f) => String(f['name']));
}

function actionOf(filter: Json): string {
  const config = filter['typedConfig'] as Json;
  return String((config['rules'] as Json | undefined)?.['action'] ?? (config['rules'] ? 'ALLOW' : 'shadow'));
}

describe('where the filters go', () => {
  const listeners = generateFor(ldsGenerator, snapshot, node('sidecar')).map((r) => r.resource as Json);
  const inbound = listeners.find((l) => l['name'] === 'virtualInbound') as Json;
  const chains = inbound['filterChains'] as Json[];

  it('every inbound HTTP connection manager runs CUSTOM, jwt_authn, AUDIT, DENY and ALLOW before its own filters', () => {
    const hcms = chains.flatMap((c) => (c['filters'] as Json[]).filter((f) => f['name'] === 'envoy.filters.network.http_connection_manager'));
    expect(hcms.length).toBeGreaterThanOrEqual(3);
    for (const hcm of hcms) {
      const httpFilters = (hcm['typedConfig'] as Json)['httpFilters'] as Json[];
      expect(filterNames(httpFilters)).toEqual([
        'envoy.filters.http.rbac',
        'envoy.filters.http.ext_authz',
        'envoy.filters.http.jwt_authn',
        'envoy.filters.http.rbac',
        'envoy.filters.http.rbac',
        'envoy.filters.http.rbac',
        'envoy.filters.http.fault',
        'envoy.filters.http.cors',
        'envoy.filters.http.router',
      ]);
      expect(httpFilters.slice(3, 6).map(actionOf)).toEqual(['LOG', 'DENY', 'ALLOW']);
    }
  });

  it('every inbound TCP chain but the blackhole runs the network filters before its tcp_proxy; HTTP chains get none', () => {
    for (const chain of chains) {
      const names = filterNames(chain['filters']);
      if (chain['name'] === 'virtualInbound-blackhole') expect(names).toEqual(['envoy.filters.network.tcp_proxy']);
      else if (names.includes('envoy.filters.network.tcp_proxy')) {
        expect(names).toEqual([
          'envoy.filters.network.rbac',
          'envoy.filters.network.ext_authz',
          'envoy.filters.network.rbac',
          'envoy.filters.network.rbac',
          'envoy.filters.network.rbac',
          'envoy.filters.network.tcp_proxy',
        ]);
      } else expect(names).toEqual(['envoy.filters.network.http_connection_manager']);
    }
  });

  it('outbound listeners carry no authorization: policies protect the workload, not what it calls', () => {
    const outbound = JSON.stringify(listeners.filter((l) => l['name'] !== 'virtualInbound'));
    expect(outbound).not.toMatch(/rbac|jwt_authn|ext_authz/);
  });

  it('the gateway guards its HTTP and TCP servers but not AUTO_PASSTHROUGH, whose mesh destinations enforce their own', () => {
    const gateway = generateFor(ldsGenerator, snapshot, node('gateway')).map((r) => r.resource as Json);
    const chainsOf = (name: string): Json[] => (gateway.find((l) => l['name'] === name)?.['filterChains'] ?? []) as Json[];
    const hcm = (chainsOf('0.0.0.0_8080')[0]?.['filters'] as Json[])[0]?.['typedConfig'] as Json;
    expect(filterNames(hcm['httpFilters'])).toEqual([
      'envoy.filters.http.rbac',
      'envoy.filters.http.ext_authz',
      'envoy.filters.http.jwt_authn',
      'envoy.filters.http.rbac',
      'envoy.filters.http.rbac',
      'envoy.filters.http.fault',
      'envoy.filters.http.cors',
      'envoy.filters.http.router',
    ]);
    // The HTTP ext_authz provider cannot judge TCP: only DENY and ALLOW there.
    expect(filterNames(chainsOf('0.0.0.0_31400')[0]?.['filters'])).toEqual(['envoy.filters.network.rbac', 'envoy.filters.network.rbac', 'envoy.filters.network.tcp_proxy']);
    const passthrough = chainsOf('0.0.0.0_15443');
    expect(passthrough.length).toBeGreaterThan(0);
    for (const chain of passthrough) expect(filterNames(chain['filters'])).toEqual(['envoy.filters.network.tcp_proxy']);
  });

  it('keys listeners by the policies that apply, so proxies under different policies never share them', () => {
    expect(ldsGenerator.keyOf(node('sidecar'), snapshot)).toMatchObject({
      security: [
        'AuthorizationPolicy/istio-system/audit-status',
        'AuthorizationPolicy/foo/deny-post-dry-run',
        'AuthorizationPolicy/foo/httpbin-deny',
        'AuthorizationPolicy/foo/httpbin-ext-authz',
        'AuthorizationPolicy/foo/httpbin-viewer',
        'RequestAuthentication/foo/httpbin-jwt',
      ],
    });
    const v2 = { ...node('sidecar'), labels: { app: 'httpbin', version: 'v2' } };
    expect(ldsGenerator.keyOf(v2, snapshot)).toMatchObject({ security: expect.not.arrayContaining(['AuthorizationPolicy/foo/httpbin-viewer']) });
    expect(ldsGenerator.keyOf(v2, snapshot)).toMatchObject({ security: expect.arrayContaining(['AuthorizationPolicy/foo/httpbin-deny']) });
  });

  it.each(['sidecar', 'allow-nothing', 'deny-all', 'gateway'])('%s: every resource is one Envoy accepts, unchanged by the protos', (label) => {
    expect(wireProblems(snapshot, node(label))).toEqual([]);
  });
});

describe('httpbin: which requests Envoy lets through', () => {
  const ask = (request: SimulatedRequest, caller: Caller = SLEEP): ReturnType<typeof authorize> => authorize(resources['sidecar']!, request, caller);

  it('allows bar\'s sleep reading an allowed path as an allowed user', () => {
    expect(ask(httpbin({}))).toMatchObject({ allowed: true, status: 200, extAuthzAsked: false });
  });

  it('allows the same identity under the old trust domain alias', () => {
    expect(ask(httpbin({}), { ...SLEEP, peerPrincipal: 'spiffe://old-td.example/ns/bar/sa/sleep' }).allowed).toBe(true);
  });

  it('allows any workload of a bar-* namespace but the one notPrincipals names', () => {
    expect(ask(httpbin({}), { sourceIp: '10.244.4.1', peerPrincipal: 'spiffe://cluster.local/ns/bar-team/sa/client' }).allowed).toBe(true);
    expect(ask(httpbin({}), { sourceIp: '10.244.4.1', peerPrincipal: 'spiffe://cluster.local/ns/bar-team/sa/untrusted' }).allowed).toBe(false);
  });

  it('denies what no ALLOW rule covers: another method, path, host or user, or a caller from the excluded subnet', () => {
    for (const request of [
      httpbin({ method: 'DELETE' }),
      httpbin({ path: '/anything' }),
      httpbin({ authority: 'evil.example.org' }),
      httpbin({ headers: { 'x-user': 'mallory' } }),
      httpbin({ path: '/api/v1/x/items' }),
    ]) {
      expect(ask(request), `${request.method} ${request.authority}${request.path}`).toMatchObject({ allowed: false, status: 403, deniedBy: 'envoy.filters.http.rbac (no ALLOW policy matched)' });
    }
    expect(ask(httpbin({}), { ...SLEEP, sourceIp: '10.244.9.7' }).allowed).toBe(false);
  });

  it('allows paths by prefix, suffix and template', () => {
    for (const path of ['/status/418', '/client/ip', '/api/v2/items']) expect(ask(httpbin({ path })).allowed, path).toBe(true);
  });

  it('denies before it allows: DENY rules refuse requests an ALLOW rule would let through', () => {
    expect(ask(httpbin({ path: '/admin/status/1', headers: {} })).deniedBy).toMatch(/^envoy\.filters\.http\.rbac ns\[foo\]-policy\[httpbin-deny\]-rule\[1\]$/);
    expect(ask(httpbin({ headers: { 'x-block': 'yes' } })).deniedBy).toMatch(/httpbin-deny\]-rule\[2\]$/);
  });

  it('denies callers outside foo and bar*, and plaintext callers (they have no namespace)', () => {
    expect(ask(httpbin({}), { sourceIp: '10.244.5.5', peerPrincipal: 'spiffe://cluster.local/ns/qux/sa/default' }).deniedBy).toMatch(/httpbin-deny\]-rule\[0\]$/);
    expect(ask(httpbin({ protocol: 'http', alpn: [] }), { sourceIp: '10.244.2.10' }).deniedBy).toMatch(/httpbin-deny\]-rule\[0\]$/);
  });

  it('audits /status/* without affecting the decision', () => {
    expect(ask(httpbin({ path: '/status/200' }))).toMatchObject({ allowed: true, audited: ['ns[istio-system]-policy[audit-status]-rule[0]'] });
    expect(ask(httpbin({})).audited).toEqual([]);
  });

  describe('with a JWT', () => {
    const token = { iss: 'https://accounts.example.com', sub: 'user-1', aud: 'httpbin', groups: ['admins', 'users'] };
    const fromFoo: Caller = { sourceIp: '10.244.1.30', peerPrincipal: 'spiffe://cluster.local/ns/foo/sa/other', jwt: token };

    it('allows a verified token of the issuer with the admins group, any method, on port 80', () => {
      expect(ask(httpbin({ method: 'POST', path: '/anything', headers: { 'x-user': 'nobody' } }), fromFoo).allowed).toBe(true);
    });

    it('records the dry-run DENY of POST without enforcing it', () => {
      const outcome = ask(httpbin({ method: 'POST', path: '/anything' }), fromFoo);
      expect(outcome.allowed).toBe(true);
      expect(outcome.shadowMatches).toContain('ns[foo]-policy[deny-post-dry-run]-rule[0]');
    });

    it('denies a token without the group or for another audience, and a request without a token', () => {
      expect(ask(httpbin({ path: '/anything' }), { ...fromFoo, jwt: { ...token, groups: ['users'] } }).allowed).toBe(false);
      expect(ask(httpbin({ path: '/anything' }), { ...fromFoo, jwt: { ...token, aud: ['other'] } }).allowed).toBe(false);
      expect(ask(httpbin({ path: '/anything' }), { ...fromFoo, jwt: undefined }).allowed).toBe(false);
    });

    it('rejects a token no provider verifies with 401, before authorization', () => {
      expect(ask(httpbin({}), { ...SLEEP, jwt: 'invalid' })).toMatchObject({ allowed: false, status: 401, deniedBy: 'envoy.filters.http.jwt_authn' });
    });
  });

  it('asks the external authorizer about /secure/* only, and follows its answer', () => {
    expect(ask(httpbin({ path: '/secure/x' }), { ...SLEEP, extAuthzAllows: false })).toMatchObject({ allowed: false, extAuthzAsked: true, deniedBy: 'envoy.filters.http.ext_authz' });
    expect(ask(httpbin({ path: '/headers' }), { ...SLEEP, extAuthzAllows: false })).toMatchObject({ allowed: true, extAuthzAsked: false });
  });

  describe('the TCP port', () => {
    const tcp: SimulatedRequest = { protocol: 'tls', mode: 'inbound', address: HTTPBIN_IP, port: 9000, alpn: MTLS_TCP, sni: 'outbound_.9000_._.httpbin.foo.svc.cluster.local' };

    it('allows the pod network but the excluded subnet, by IP alone (its HTTP rules do not apply to TCP)', () => {
      expect(authorize(resources['sidecar']!, tcp, SLEEP)).toMatchObject({ allowed: true, status: 200 });
      expect(authorize(resources['sidecar']!, tcp, { ...SLEEP, sourceIp: '10.244.3.7' }).allowed).toBe(false);
      expect(authorize(resources['sidecar']!, tcp, { ...SLEEP, sourceIp: '172.16.0.1' }).allowed).toBe(false);
    });

    it('asks the gRPC authorizer about every connection and audits every one (the CUSTOM and AUDIT rules\' paths cannot be checked on TCP)', () => {
      expect(authorize(resources['sidecar']!, tcp, SLEEP)).toMatchObject({ allowed: true, extAuthzAsked: true, audited: ['ns[istio-system]-policy[audit-status]-rule[0]'] });
      expect(authorize(resources['sidecar']!, tcp, { ...SLEEP, extAuthzAllows: false })).toMatchObject({ allowed: false, extAuthzAsked: true, deniedBy: 'envoy.filters.network.ext_authz' });
    });
  });
});

describe('allow-nothing and deny-all', () => {
  it('sleep (allow-nothing) refuses every request', () => {
    for (const caller of [SLEEP, { sourceIp: '10.244.1.20', peerPrincipal: 'spiffe://cluster.local/ns/foo/sa/httpbin' }]) {
      const request: SimulatedRequest = { protocol: 'https', mode: 'inbound', address: '10.244.2.10', port: 80, alpn: MTLS_HTTP, authority: 'sleep.bar', path: '/' };
      expect(authorize(resources['allow-nothing']!, request, caller)).toMatchObject({ allowed: false, status: 403 });
    }
  });

  it('legacy (deny-all) refuses every request', () => {
    const request: SimulatedRequest = { protocol: 'http', mode: 'inbound', address: '10.244.3.10', port: 8080, authority: 'legacy.baz', path: '/' };
    expect(authorize(resources['deny-all']!, request, { sourceIp: '10.244.2.10' })).toMatchObject({ allowed: false, deniedBy: 'envoy.filters.http.rbac ns[baz]-policy[deny-all]-rule[0]' });
  });
});

describe('the gateway', () => {
  const http = (request: Partial<SimulatedRequest>): SimulatedRequest => ({
    protocol: 'http',
    mode: 'gateway',
    address: '10.244.0.5',
    port: 8080,
    authority: 'httpbin.example.com',
    method: 'GET',
    path: '/api/v1',
    ...request,
  });
  const client: Caller = { sourceIp: '198.51.100.7' };
  const token = { iss: 'https://issuer.foo.svc', sub: 'u1', aud: 'api.example.com', azp: 'web-app' };
  const ask = (request: SimulatedRequest, caller: Caller): ReturnType<typeof authorize> => authorize(resources['gateway']!, request, caller);

  it('lets verified tokens use the API and the partner network anything; refuses the rest', () => {
    expect(ask(http({}), { ...client, jwt: token }).allowed).toBe(true);
    expect(ask(http({ path: '/other' }), { ...client, jwt: token }).allowed).toBe(false);
    expect(ask(http({}), client).allowed).toBe(false);
    expect(ask(http({ path: '/other' }), { ...client, remoteIp: '203.0.113.9' }).allowed).toBe(true);
  });

  it('denies DELETE, and tokens of its issuer presented by anyone but the web app', () => {
    expect(ask(http({ method: 'DELETE' }), { ...client, jwt: token }).deniedBy).toMatch(/gateway-deny\]-rule\[0\]$/);
    expect(ask(http({}), { ...client, jwt: { ...token, azp: 'cli' } }).deniedBy).toMatch(/gateway-deny\]-rule\[1\]$/);
  });

  it('sends /login* to the HTTP authorizer', () => {
    expect(ask(http({ path: '/login' }), { ...client, remoteIp: '203.0.113.9', extAuthzAllows: false })).toMatchObject({ allowed: false, extAuthzAsked: true });
  });

  it('allows its TCP server from one network only', () => {
    const tcp: SimulatedRequest = { protocol: 'tcp', mode: 'gateway', address: '10.244.0.5', port: 31400 };
    expect(ask(tcp, { sourceIp: '192.0.2.44' }).allowed).toBe(true);
    expect(ask(tcp, { sourceIp: '198.51.100.7' }).allowed).toBe(false);
  });

  it('forwards AUTO_PASSTHROUGH connections without judging them', () => {
    const tls: SimulatedRequest = { protocol: 'tls', mode: 'gateway', address: '10.244.0.5', port: 15443, sni: 'outbound_.8000_._.httpbin.foo.svc.cluster.local', alpn: ['istio'] };
    expect(ask(tls, { sourceIp: '198.51.100.7' })).toMatchObject({ allowed: true, filters: ['envoy.filters.network.tcp_proxy'] });
  });
});

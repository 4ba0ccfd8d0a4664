/**
 * The simulator's authorization against hand-written RBAC, jwt_authn and
 * ext_authz configs, read against Envoy's rbac.proto: a policy needs a
 * matching permission and a matching principal; ALLOW refuses what no
 * policy matches, DENY what one does, LOG refuses nothing; shadow rules
 * never refuse; "authenticated" needs a verified peer certificate.
 */
import { describe, expect, it } from 'vitest';
import { authorize } from './authorization.js';
import { chain, listener, resources, tcpFilter } from './hand-written-resources.js';
import type { SimulatedRequest } from './request.js';

const T = 'type.googleapis.com/';

function rbac(rules: Record<string, unknown> | undefined, shadowRules?: Record<string, unknown>, network = false): Record<string, unknown> {
  return {
    name: network ? 'envoy.filters.network.rbac' : 'envoy.filters.http.rbac',
    typedConfig: {
      '@type': `${T}envoy.extensions.filters.${network ? 'network' : 'http'}.rbac.v3.RBAC`,
      ...(rules ? { rules } : {}),
      ...(shadowRules ? { shadowRules, shadowRulesStatPrefix: 'istio_ext_authz_' } : {}),
    },
  };
}

function httpListener(httpFilters: Record<string, unknown>[]): ReturnType<typeof resources> {
  const hcm = {
    name: 'envoy.filters.network.http_connection_manager',
    typedConfig: { '@type': `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`, statPrefix: 'in', httpFilters },
  };
  return resources({ listeners: [listener('0.0.0.0_8080', '0.0.0.0', 8080, { filterChains: [chain('http', [hcm])] })] });
}

const GET: SimulatedRequest = { protocol: 'http', mode: 'gateway', address: '10.0.0.1', port: 8080, method: 'GET', path: '/a?x=1' };
const ANY_PRINCIPAL = [{ any: true }];
const ANY_PERMISSION = [{ any: true }];

describe('RBAC', () => {
  it('ALLOW lets through only what a policy matches; an empty ALLOW refuses everything', () => {
    const allowGet = httpListener([rbac({ policies: { p: { permissions: [{ header: { name: ':method', stringMatch: { exact: 'GET' } } }], principals: ANY_PRINCIPAL } } })]);
    expect(authorize(allowGet, GET, { sourceIp: '1.1.1.1' }).allowed).toBe(true);
    expect(authorize(allowGet, { ...GET, method: 'POST' }, { sourceIp: '1.1.1.1' })).toMatchObject({ allowed: false, status: 403 });
    expect(authorize(httpListener([rbac({})]), GET, { sourceIp: '1.1.1.1' }).allowed).toBe(false);
  });

  it('DENY refuses what a policy matches, naming it; LOG only records it', () => {
    const policies = { 'b-policy': { permissions: [{ urlPath: { path: { exact: '/a' } } }], principals: ANY_PRINCIPAL } };
    expect(authorize(httpListener([rbac({ action: 'DENY', policies })]), GET, { sourceIp: '1.1.1.1' })).toMatchObject({ allowed: false, deniedBy: 'envoy.filters.http.rbac b-policy' });
    expect(authorize(httpListener([rbac({ action: 'LOG', policies })]), GET, { sourceIp: '1.1.1.1' })).toMatchObject({ allowed: true, audited: ['b-policy'] });
  });

  it('needs a matching permission and a matching principal', () => {
    const policies = { p: { permissions: ANY_PERMISSION, principals: [{ directRemoteIp: { addressPrefix: '10.1.0.0', prefixLen: { value: 16 } } }] } };
    const allow = httpListener([rbac({ policies })]);
    expect(authorize(allow, GET, { sourceIp: '10.1.200.3' }).allowed).toBe(true);
    expect(authorize(allow, GET, { sourceIp: '10.2.0.1' }).allowed).toBe(false);
  });

  it('reads "authenticated" from the verified peer certificate only', () => {
    const policies = { p: { permissions: ANY_PERMISSION, principals: [{ authenticated: { principalName: { prefix: 'spiffe://cluster.local/ns/a/' } } }] } };
    const allow = httpListener([rbac({ policies })]);
    expect(authorize(allow, GET, { sourceIp: '1.1.1.1', peerPrincipal: 'spiffe://cluster.local/ns/a/sa/x' }).allowed).toBe(true);
    expect(authorize(allow, GET, { sourceIp: '1.1.1.1' }).allowed).toBe(false);
    const notA = httpListener([rbac({ action: 'DENY', policies: { p: { permissions: ANY_PERMISSION, principals: [{ notId: policies.p.principals[0] }] } } })]);
    expect(authorize(notA, GET, { sourceIp: '1.1.1.1' }).allowed).toBe(false);
  });

  it('matches paths without the query, IPv6 ranges and JWT claims in list or string form', () => {
    const claim = { metadata: { filter: 'envoy.filters.http.jwt_authn', path: [{ key: 'payload' }, { key: 'aud' }], value: { orMatch: { valueMatchers: [{ listMatch: { oneOf: { stringMatch: { exact: 'x' } } } }, { stringMatch: { exact: 'x' } }] } } } };
    const allow = httpListener([
      { name: 'envoy.filters.http.jwt_authn', typedConfig: { '@type': `${T}envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication` } },
      rbac({ policies: { p: { permissions: [{ urlPath: { path: { exact: '/a' } } }], principals: [{ andIds: { ids: [claim, { remoteIp: { addressPrefix: '2001:db8::', prefixLen: { value: 32 } } }] } }] } } }),
    ]);
    const v6 = { sourceIp: '10.0.0.9', remoteIp: '2001:db8:1::5' };
    expect(authorize(allow, GET, { ...v6, jwt: { aud: ['y', 'x'] } }).allowed).toBe(true);
    expect(authorize(allow, GET, { ...v6, jwt: { aud: 'x' } }).allowed).toBe(true);
    expect(authorize(allow, GET, { ...v6, jwt: { aud: 'y' } }).allowed).toBe(false);
    expect(authorize(allow, GET, { sourceIp: '10.0.0.9', remoteIp: '2001:db9::1', jwt: { aud: 'x' } }).allowed).toBe(false);
    expect(authorize(allow, GET, { ...v6, jwt: 'invalid' })).toMatchObject({ allowed: false, status: 401 });
  });

  it('shadow rules never refuse, and enable ext_authz when one matched', () => {
    const extAuthz = {
      name: 'envoy.filters.http.ext_authz',
      typedConfig: {
        '@type': `${T}envoy.extensions.filters.http.ext_authz.v3.ExtAuthz`,
        filterEnabledMetadata: { filter: 'envoy.filters.http.rbac', path: [{ key: 'istio_ext_authz_shadow_effective_policy_id' }], value: { stringMatch: { prefix: 'custom-' } } },
      },
    };
    const shadow = { action: 'DENY', policies: { 'custom-p': { permissions: [{ urlPath: { path: { prefix: '/secure' } } }], principals: ANY_PRINCIPAL } } };
    const config = httpListener([rbac(undefined, shadow), extAuthz]);
    expect(authorize(config, GET, { sourceIp: '1.1.1.1', extAuthzAllows: false })).toMatchObject({ allowed: true, extAuthzAsked: false });
    expect(authorize(config, { ...GET, path: '/secure/x' }, { sourceIp: '1.1.1.1', extAuthzAllows: false })).toMatchObject({ allowed: false, extAuthzAsked: true, shadowMatches: ['custom-p'] });
  });

  it('on a TCP chain reads the network filters; header rules never match there', () => {
    const policies = { p: { permissions: [{ destinationPort: 9000 }], principals: ANY_PRINCIPAL }, q: { permissions: [{ header: { name: ':method', presentMatch: true } }], principals: ANY_PRINCIPAL } };
    const config = resources({ listeners: [listener('0.0.0.0_9000', '0.0.0.0', 9000, { filterChains: [chain('tcp', [rbac({ policies }, undefined, true), tcpFilter('c')])] })] });
    const tcp: SimulatedRequest = { protocol: 'tcp', mode: 'gateway', address: '10.0.0.1', port: 9000 };
    expect(authorize(config, tcp, { sourceIp: '1.1.1.1' })).toMatchObject({ allowed: true, filters: ['envoy.filters.network.rbac', 'envoy.filters.network.tcp_proxy'] });
    const onlyHeaders = resources({ listeners: [listener('0.0.0.0_9000', '0.0.0.0', 9000, { filterChains: [chain('tcp', [rbac({ policies: { q: policies.q } }, undefined, true), tcpFilter('c')])] })] });
    expect(authorize(onlyHeaders, tcp, { sourceIp: '1.1.1.1' }).allowed).toBe(false);
  });
});

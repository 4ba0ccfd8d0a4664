/**
 * AuthorizationPolicies into RBAC filters, by Istio's documented semantics
 * (istio.io "Authorization Policy" reference and pilot/pkg/security/authz/builder):
 * the filter order CUSTOM, AUDIT, DENY, ALLOW; allow-nothing and allow-all;
 * dry-run as shadow rules; what a TCP chain keeps of HTTP rules for each
 * action; policy names and stat prefixes; CUSTOM with ext_authz.
 */
import { describe, expect, it } from 'vitest';
import type { MeshService } from '../../../../src/model/types.js';
import { customFilters, localFilters, type AuthzContext } from '../../../../src/xds/gen/authz/build-rbac.js';
import { resolveExtAuthzProviders } from '../../../../src/xds/gen/authz/ext-authz.js';
import type { AuthorizationPolicy, AuthzRule } from '../../../../src/xds/gen/authz/policy-spec.js';
import { TrustDomainBundle } from '../../../../src/xds/gen/authz/trust-domain-bundle.js';

type Json = Record<string, unknown>;

function ap(name: string, action: AuthorizationPolicy['action'], rules: (AuthzRule | null)[], extra: Partial<AuthorizationPolicy> = {}): AuthorizationPolicy {
  return { name, namespace: 'foo', action, rules, provider: '', dryRun: false, ...extra };
}

const EXT_AUTHZ: MeshService = {
  hostname: 'authz.foo.svc.cluster.local',
  name: 'authz',
  namespace: 'foo',
  ports: [],
  labels: {},
  origin: 'kubernetes',
  resolution: 'EDS',
  meshExternal: false,
  exportTo: ['*'],
};

const context: AuthzContext = {
  trustDomains: new TrustDomainBundle('cluster.local'),
  extAuthz: resolveExtAuthzProviders(
    [
      { name: 'grpc', envoyExtAuthzGrpc: { service: 'authz.foo.svc.cluster.local', port: 9000 } },
      { name: 'http', envoyExtAuthzHttp: { service: 'foo/authz.foo.svc.cluster.local', port: 8000 } },
      { name: 'broken', envoyExtAuthzGrpc: { service: 'nowhere.foo.svc.cluster.local', port: 9000 } },
    ],
    new Map([[EXT_AUTHZ.hostname, EXT_AUTHZ]]),
  ),
};

const config = (filter: Json | undefined): Json => (filter?.['typedConfig'] ?? {}) as Json;
const rulesOf = (filter: Json | undefined): Json => config(filter)['rules'] as Json;
const policyNames = (rbac: Json): string[] => Object.keys((rbac['policies'] ?? {}) as Json);

const ANY_RULE: AuthzRule = {};
const FROM_BAR: AuthzRule = { from: [{ source: { namespaces: ['bar'] } }] };
const GET_ONLY: AuthzRule = { to: [{ operation: { methods: ['GET'] } }] };

describe('local policies', () => {
  it('make one filter per action, AUDIT then DENY then ALLOW, whatever order the policies come in', () => {
    const filters = localFilters([ap('allow', 'ALLOW', [FROM_BAR]), ap('deny', 'DENY', [GET_ONLY]), ap('audit', 'AUDIT', [ANY_RULE])], 'http', context);
    expect(filters.map((f) => f['name'])).toEqual(['envoy.filters.http.rbac', 'envoy.filters.http.rbac', 'envoy.filters.http.rbac']);
    expect(filters.map((f) => rulesOf(f)['action'] ?? 'ALLOW')).toEqual(['LOG', 'DENY', 'ALLOW']);
  });

  it('name each rule ns[<namespace>]-policy[<name>]-rule[<index>], skipping null rules but keeping indexes', () => {
    const [allow] = localFilters([ap('viewer', 'ALLOW', [FROM_BAR, null, GET_ONLY])], 'http', context);
    expect(policyNames(rulesOf(allow))).toEqual(['ns[foo]-policy[viewer]-rule[0]', 'ns[foo]-policy[viewer]-rule[2]']);
  });

  it('without ALLOW policies there is no ALLOW filter: everything not denied passes', () => {
    expect(localFilters([ap('deny', 'DENY', [GET_ONLY])], 'http', context).map((f) => rulesOf(f)['action'])).toEqual(['DENY']);
    expect(localFilters([], 'http', context)).toEqual([]);
  });

  it('allow-nothing (spec: {}) is an ALLOW policy that can never match', () => {
    const [allow] = localFilters([ap('allow-nothing', 'ALLOW', [])], 'http', context);
    expect(rulesOf(allow)).toEqual({
      policies: { 'ns[foo]-policy[allow-nothing]-rule[0]': { permissions: [{ notRule: { any: true } }], principals: [{ notId: { any: true } }] } },
    });
  });

  it('rules: [{}] matches everything: allow-all as ALLOW, deny-all as DENY', () => {
    const anything = { permissions: [{ andRules: { rules: [{ any: true }] } }], principals: [{ andIds: { ids: [{ any: true }] } }] };
    expect(rulesOf(localFilters([ap('allow-all', 'ALLOW', [ANY_RULE])], 'http', context)[0])).toEqual({ policies: { 'ns[foo]-policy[allow-all]-rule[0]': anything } });
    expect(rulesOf(localFilters([ap('deny-all', 'DENY', [ANY_RULE])], 'http', context)[0])).toEqual({
      action: 'DENY',
      policies: { 'ns[foo]-policy[deny-all]-rule[0]': anything },
    });
  });

  it('istio.io/dry-run policies are shadow rules (evaluated, not enforced), counted under istio_dry_run_<action>_', () => {
    const [deny, allow] = localFilters([ap('deny-dry', 'DENY', [GET_ONLY], { dryRun: true }), ap('allow', 'ALLOW', [FROM_BAR]), ap('allow-dry', 'ALLOW', [GET_ONLY], { dryRun: true })], 'http', context);
    expect(config(deny)['rules']).toBeUndefined();
    expect(policyNames(config(deny)['shadowRules'] as Json)).toEqual(['ns[foo]-policy[deny-dry]-rule[0]']);
    expect(config(deny)['shadowRulesStatPrefix']).toBe('istio_dry_run_deny_');
    expect(policyNames(rulesOf(allow))).toEqual(['ns[foo]-policy[allow]-rule[0]']);
    expect(policyNames(config(allow)['shadowRules'] as Json)).toEqual(['ns[foo]-policy[allow-dry]-rule[0]']);
    expect(config(allow)['shadowRulesStatPrefix']).toBe('istio_dry_run_allow_');
  });

  it('the network filter carries the "tcp." stat prefix', () => {
    const [deny] = localFilters([ap('deny', 'DENY', [FROM_BAR])], 'tcp', context);
    expect(deny?.['name']).toBe('envoy.filters.network.rbac');
    expect(config(deny)['@type']).toBe('type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC');
    expect(config(deny)['statPrefix']).toBe('tcp.');
  });
});

describe('on a TCP chain (HTTP-only attributes cannot be checked)', () => {
  const HTTP_AND_PORT: AuthzRule = { from: [{ source: { requestPrincipals: ['iss/sub'] } }], to: [{ operation: { methods: ['GET'], ports: ['8080'] } }] };

  it('an ALLOW rule using one is left out, so it never allows a connection', () => {
    const [allow] = localFilters([ap('mixed', 'ALLOW', [GET_ONLY, FROM_BAR, HTTP_AND_PORT])], 'tcp', context);
    expect(policyNames(rulesOf(allow))).toEqual(['ns[foo]-policy[mixed]-rule[1]']);
  });

  it('an ALLOW policy with only HTTP rules still denies every connection (rules without policies)', () => {
    expect(rulesOf(localFilters([ap('http-only', 'ALLOW', [GET_ONLY])], 'tcp', context)[0])).toEqual({});
  });

  it('a DENY rule loses just those attributes, so it denies at least as much: here every connection to 8080', () => {
    const rules = rulesOf(localFilters([ap('deny', 'DENY', [HTTP_AND_PORT])], 'tcp', context)[0]);
    expect((rules['policies'] as Json)['ns[foo]-policy[deny]-rule[0]']).toEqual({
      permissions: [{ andRules: { rules: [{ orRules: { rules: [{ destinationPort: 8080 }] } }] } }],
      principals: [{ andIds: { ids: [{ any: true }] } }],
    });
  });

  it('a DENY rule with nothing but HTTP attributes denies every connection', () => {
    const rules = rulesOf(localFilters([ap('deny', 'DENY', [GET_ONLY])], 'tcp', context)[0]);
    expect((rules['policies'] as Json)['ns[foo]-policy[deny]-rule[0]']).toEqual({
      permissions: [{ andRules: { rules: [{ any: true }] } }],
      principals: [{ andIds: { ids: [{ any: true }] } }],
    });
  });

  it('AUDIT is treated like DENY (it logs more rather than less)', () => {
    const rules = rulesOf(localFilters([ap('audit', 'AUDIT', [GET_ONLY])], 'tcp', context)[0]);
    expect(rules['action']).toBe('LOG');
    expect(policyNames(rules)).toEqual(['ns[foo]-policy[audit]-rule[0]']);
  });
});

describe('CUSTOM policies', () => {
  const SECURE: AuthzRule = { to: [{ operation: { paths: ['/secure/*'] } }] };

  it('an RBAC filter records matches as shadow DENY rules and an ext_authz filter runs only when one matched', () => {
    const [rbac, extAuthz, ...rest] = customFilters([ap('ext', 'CUSTOM', [SECURE], { provider: 'grpc' }), ap('local', 'ALLOW', [ANY_RULE])], 'http', context);
    expect(rest).toEqual([]);
    expect(rbac?.['name']).toBe('envoy.filters.http.rbac');
    expect(config(rbac)['rules']).toBeUndefined();
    expect(config(rbac)['shadowRulesStatPrefix']).toBe('istio_ext_authz_');
    const shadow = config(rbac)['shadowRules'] as Json;
    expect(shadow['action']).toBe('DENY');
    expect(policyNames(shadow)).toEqual(['istio-ext-authz-grpc-ns[foo]-policy[ext]-rule[0]']);
    expect(extAuthz?.['name']).toBe('envoy.filters.http.ext_authz');
    expect(config(extAuthz)['filterEnabledMetadata']).toEqual({
      filter: 'envoy.filters.http.rbac',
      path: [{ key: 'istio_ext_authz_shadow_effective_policy_id' }],
      value: { stringMatch: { prefix: 'istio-ext-authz-grpc' } },
    });
  });

  it('a gRPC provider also guards TCP chains, with the network filters; an HTTP provider does not', () => {
    const grpc = customFilters([ap('ext', 'CUSTOM', [SECURE], { provider: 'grpc' })], 'tcp', context);
    expect(grpc.map((f) => f['name'])).toEqual(['envoy.filters.network.rbac', 'envoy.filters.network.ext_authz']);
    // The path is HTTP-only: on TCP the CUSTOM rule (DENY semantics) matches every connection, so every one is checked.
    expect((config(grpc[0])['shadowRules'] as { policies: Record<string, Json> }).policies['istio-ext-authz-grpc-ns[foo]-policy[ext]-rule[0]']).toEqual({
      permissions: [{ andRules: { rules: [{ any: true }] } }],
      principals: [{ andIds: { ids: [{ any: true }] } }],
    });
    expect(config(grpc[1])['filterEnabledMetadata']).toMatchObject({ filter: 'envoy.filters.network.rbac' });
    expect(customFilters([ap('ext', 'CUSTOM', [SECURE], { provider: 'http' })], 'tcp', context)).toEqual([]);
  });

  it('a provider that does not resolve denies what its policies cover', () => {
    for (const provider of ['broken', 'undefined-provider']) {
      const filters = customFilters([ap('ext', 'CUSTOM', [SECURE], { provider })], 'http', context);
      expect(filters).toHaveLength(1);
      expect(rulesOf(filters[0])['action']).toBe('DENY');
      expect(policyNames(rulesOf(filters[0]))).toEqual([`istio-ext-authz-${provider}-ns[foo]-policy[ext]-rule[0]-deny-due-to-bad-CUSTOM-action`]);
    }
  });

  it('two providers for one workload are refused the same way (Istio\'s default)', () => {
    const filters = customFilters([ap('a', 'CUSTOM', [SECURE], { provider: 'http' }), ap('b', 'CUSTOM', [SECURE], { provider: 'grpc' })], 'http', context);
    expect(filters.map((f) => rulesOf(f)['action'])).toEqual(['DENY', 'DENY']);
  });

  it('local filters ignore CUSTOM policies and custom filters ignore local ones', () => {
    expect(localFilters([ap('ext', 'CUSTOM', [SECURE], { provider: 'grpc' })], 'http', context)).toEqual([]);
    expect(customFilters([ap('deny', 'DENY', [SECURE])], 'http', context)).toEqual([]);
  });
});

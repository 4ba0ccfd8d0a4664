/**
 * Each AuthorizationPolicy source, operation and condition as the Envoy
 * RBAC matcher Istio's authz/model generators make of it (read against
 * pilot/pkg/security/authz/model/generator.go and the builder's testdata):
 * principals are SPIFFE URIs of the peer certificate, namespaces and
 * service accounts regexes over them, IP blocks CIDR ranges of the direct
 * or original client, request principals and claims the jwt_authn
 * payload, operations headers, paths and ports.
 */
import { describe, expect, it } from 'vitest';
import type { AuthzRule } from '../../../../src/xds/gen/authz/policy-spec.js';
import { RuleModel } from '../../../../src/xds/gen/authz/rule-model.js';
import { TrustDomainBundle } from '../../../../src/xds/gen/authz/trust-domain-bundle.js';

type Json = Record<string, unknown>;

const bundle = new TrustDomainBundle('cluster.local');

function policy(rule: AuthzRule): { permissions: Json[]; principals: Json[] } {
  return RuleModel.of(rule, 'foo', bundle).generate(false, 'ALLOW') as { permissions: Json[]; principals: Json[] };
}

/** The AND-ed matchers of the rule's only principal. */
function principalIds(rule: AuthzRule): Json[] {
  return ((policy(rule).principals[0] as { andIds: { ids: Json[] } }).andIds.ids);
}

/** The AND-ed matchers of the rule's only permission. */
function permissionRules(rule: AuthzRule): Json[] {
  return ((policy(rule).permissions[0] as { andRules: { rules: Json[] } }).andRules.rules);
}

const authenticated = (principalName: Json): Json => ({ authenticated: { principalName } });
const jwtClaim = (claim: string, stringMatch: Json): Json => ({
  metadata: { filter: 'envoy.filters.http.jwt_authn', path: [{ key: 'payload' }, { key: claim }], value: { stringMatch } },
});

describe('from.source', () => {
  it('principals are SPIFFE URIs: exact, prefix, suffix (a regex after the scheme) and presence', () => {
    const ids = principalIds({ from: [{ source: { principals: ['cluster.local/ns/bar/sa/sleep', 'cluster.local/ns/bar/*', '*/sa/sleep', '*'] } }] });
    expect(ids).toEqual([
      {
        orIds: {
          ids: [
            authenticated({ exact: 'spiffe://cluster.local/ns/bar/sa/sleep' }),
            authenticated({ prefix: 'spiffe://cluster.local/ns/bar/' }),
            authenticated({ safeRegex: { regex: 'spiffe://.*/sa/sleep' } }),
            authenticated({ safeRegex: { regex: '.+' } }),
          ],
        },
      },
    ]);
  });

  it('notPrincipals negate the OR of their values', () => {
    expect(principalIds({ from: [{ source: { notPrincipals: ['cluster.local/ns/bar/sa/a', 'cluster.local/ns/bar/sa/b'] } }] })).toEqual([
      {
        notId: {
          orIds: { ids: [authenticated({ exact: 'spiffe://cluster.local/ns/bar/sa/a' }), authenticated({ exact: 'spiffe://cluster.local/ns/bar/sa/b' })] },
        },
      },
    ]);
  });

  it('namespaces match the /ns/<namespace>/ segment of the identity, a "*" standing for any characters', () => {
    expect(principalIds({ from: [{ source: { namespaces: ['bar', 'team-*', '*'] } }] })).toEqual([
      {
        orIds: {
          ids: [
            authenticated({ safeRegex: { regex: '.*/ns/bar/.*' } }),
            authenticated({ safeRegex: { regex: '.*/ns/team-.*/.*' } }),
            authenticated({ safeRegex: { regex: '.*/ns/.*/.*' } }),
          ],
        },
      },
    ]);
  });

  it('serviceAccounts default to the policy namespace and may carry extra SPIFFE segments', () => {
    expect(principalIds({ from: [{ source: { serviceAccounts: ['sleep', 'bar/curl.v2'] } }] })).toEqual([
      {
        orIds: {
          ids: [
            authenticated({ safeRegex: { regex: 'spiffe://.+/ns/foo/(.+/|)sa/sleep(/.+)?' } }),
            authenticated({ safeRegex: { regex: 'spiffe://.+/ns/bar/(.+/|)sa/curl\\.v2(/.+)?' } }),
          ],
        },
      },
    ]);
  });

  it('trustDomains are prefixes of the identity, or a regex for a wildcard', () => {
    expect(principalIds({ from: [{ source: { trustDomains: ['example.org', '*'] , notTrustDomains: ['*.corp'] } }] })).toEqual([
      { orIds: { ids: [authenticated({ prefix: 'spiffe://example.org/' }), authenticated({ prefix: 'spiffe://' })] } },
      { notId: { orIds: { ids: [authenticated({ safeRegex: { regex: 'spiffe://[^/]*\\.corp/.*' } })] } } },
    ]);
  });

  it('ipBlocks match the downstream address, remoteIpBlocks the original client; bare addresses are /32 or /128', () => {
    expect(principalIds({ from: [{ source: { ipBlocks: ['10.1.2.3', '10.0.0.0/8'], remoteIpBlocks: ['2001:db8::1', '2001:DB8:0:0::/32'] } }] })).toEqual([
      {
        orIds: {
          ids: [
            { remoteIp: { addressPrefix: '2001:db8::1', prefixLen: { value: 128 } } },
            { remoteIp: { addressPrefix: '2001:db8::', prefixLen: { value: 32 } } },
          ],
        },
      },
      {
        orIds: {
          ids: [
            { directRemoteIp: { addressPrefix: '10.1.2.3', prefixLen: { value: 32 } } },
            { directRemoteIp: { addressPrefix: '10.0.0.0', prefixLen: { value: 8 } } },
          ],
        },
      },
    ]);
  });

  it('requestPrincipals are "<iss>/<sub>" split at the last slash, against the verified token payload', () => {
    expect(principalIds({ from: [{ source: { requestPrincipals: ['https://issuer.example.com/alice'] } }] })).toEqual([
      { andIds: { ids: [jwtClaim('iss', { exact: 'https://issuer.example.com' }), jwtClaim('sub', { exact: 'alice' })] } },
    ]);
    // "*" anywhere: any issuer or subject that is present.
    expect(principalIds({ from: [{ source: { requestPrincipals: ['https://issuer.example.com/*', '*'] } }] })).toEqual([
      {
        orIds: {
          ids: [
            { andIds: { ids: [jwtClaim('iss', { exact: 'https://issuer.example.com' }), jwtClaim('sub', { safeRegex: { regex: '.+' } })] } },
            { andIds: { ids: [jwtClaim('iss', { safeRegex: { regex: '.+' } }), jwtClaim('sub', { safeRegex: { regex: '.+' } })] } },
          ],
        },
      },
    ]);
  });

  it('orders a source\'s fields as Istio does: principals, request principals, namespaces, remote IPs, IPs', () => {
    const ids = principalIds({
      from: [{ source: { ipBlocks: ['1.2.3.4'], remoteIpBlocks: ['5.6.7.8'], namespaces: ['ns'], requestPrincipals: ['i/s'], principals: ['p'] } }],
    });
    const kinds = ids.map((id) => {
      const first = ((id['orIds'] as { ids: Json[] } | undefined)?.ids[0] ?? id) as Json;
      return Object.keys(first)[0];
    });
    expect(kinds).toEqual(['authenticated', 'andIds', 'authenticated', 'remoteIp', 'directRemoteIp']);
  });

  it('each `from` entry is one principal; the rule needs any of them', () => {
    const { principals } = policy({ from: [{ source: { namespaces: ['a'] } }, { source: { namespaces: ['b'] } }] });
    expect(principals).toHaveLength(2);
  });
});

describe('to.operation', () => {
  it('methods are exact :method header matches; hosts compare :authority without case', () => {
    expect(permissionRules({ to: [{ operation: { methods: ['GET'], hosts: ['Example.com', '*.example.com', 'api.*', '*'] } }] })).toEqual([
      {
        orRules: {
          rules: [
            { header: { name: ':authority', stringMatch: { exact: 'Example.com', ignoreCase: true } } },
            { header: { name: ':authority', stringMatch: { suffix: '.example.com', ignoreCase: true } } },
            { header: { name: ':authority', stringMatch: { prefix: 'api.', ignoreCase: true } } },
            { header: { name: ':authority', presentMatch: true } },
          ],
        },
      },
      { orRules: { rules: [{ header: { name: ':method', stringMatch: { exact: 'GET' } } }] } },
    ]);
  });

  it('paths are exact, prefix, suffix or presence matches of the path without query; {*} and {**} become a URI template', () => {
    expect(permissionRules({ to: [{ operation: { paths: ['/a', '/b/*', '*/c', '*', '/api/{*}/x/{**}'] } }] })).toEqual([
      {
        orRules: {
          rules: [
            { urlPath: { path: { exact: '/a' } } },
            { urlPath: { path: { prefix: '/b/' } } },
            { urlPath: { path: { suffix: '/c' } } },
            { urlPath: { path: { safeRegex: { regex: '.+' } } } },
            {
              uriTemplate: {
                name: 'uri-template',
                typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig', pathTemplate: '/api/*/x/**' },
              },
            },
          ],
        },
      },
    ]);
  });

  it('ports and notPorts are destination ports', () => {
    expect(permissionRules({ to: [{ operation: { ports: ['80', '8080'], notPorts: ['9090'] } }] })).toEqual([
      { orRules: { rules: [{ destinationPort: 80 }, { destinationPort: 8080 }] } },
      { notRule: { orRules: { rules: [{ destinationPort: 9090 }] } } },
    ]);
  });

  it('without from or to a rule matches anything', () => {
    expect(policy({})).toEqual({ permissions: [{ andRules: { rules: [{ any: true }] } }], principals: [{ andIds: { ids: [{ any: true }] } }] });
  });
});

describe('when', () => {
  it('request.headers[...] is a header principal; source.* keys join the principal, destination.* the permission', () => {
    const model = policy({
      when: [
        { key: 'request.headers[X-Tenant]', values: ['acme', 'beta-*'] },
        { key: 'source.ip', values: ['10.0.0.0/16'] },
        { key: 'source.namespace', notValues: ['test'] },
        { key: 'source.principal', values: ['cluster.local/ns/a/sa/b'] },
        { key: 'destination.port', values: ['8080'] },
        { key: 'destination.ip', values: ['10.96.0.1'] },
        { key: 'connection.sni', values: ['*.example.com'] },
      ],
    });
    expect((model.principals[0] as { andIds: { ids: Json[] } }).andIds.ids).toEqual([
      {
        orIds: {
          ids: [
            { header: { name: 'X-Tenant', stringMatch: { exact: 'acme' } } },
            { header: { name: 'X-Tenant', stringMatch: { prefix: 'beta-' } } },
          ],
        },
      },
      { orIds: { ids: [{ directRemoteIp: { addressPrefix: '10.0.0.0', prefixLen: { value: 16 } } }] } },
      { notId: { orIds: { ids: [authenticated({ safeRegex: { regex: '.*/ns/test/.*' } })] } } },
      { orIds: { ids: [authenticated({ exact: 'spiffe://cluster.local/ns/a/sa/b' })] } },
    ]);
    expect((model.permissions[0] as { andRules: { rules: Json[] } }).andRules.rules).toEqual([
      { orRules: { rules: [{ destinationPort: 8080 }] } },
      { orRules: { rules: [{ destinationIp: { addressPrefix: '10.96.0.1', prefixLen: { value: 32 } } }] } },
      { orRules: { rules: [{ requestedServerName: { suffix: '.example.com' } }] } },
    ]);
  });

  it('request.auth.claims[...] matches a claim that is a string or a list holding the value; nested claims follow the path', () => {
    const claim = (path: string[], value: Json): Json => ({
      metadata: {
        filter: 'envoy.filters.http.jwt_authn',
        path: [{ key: 'payload' }, ...path.map((key) => ({ key }))],
        value: { orMatch: { valueMatchers: [{ listMatch: { oneOf: value } }, value] } },
      },
    });
    expect(
      principalIds({
        when: [
          { key: 'request.auth.claims[groups]', values: ['admins'] },
          { key: 'request.auth.claims[realm][role]', values: ['a', 'b*'] },
          { key: 'request.auth.audiences', values: ['api'] },
          { key: 'request.auth.presenter', notValues: ['web'] },
        ],
      }),
    ).toEqual([
      claim(['groups'], { stringMatch: { exact: 'admins' } }),
      claim(['realm', 'role'], { orMatch: { valueMatchers: [{ stringMatch: { exact: 'a' } }, { stringMatch: { prefix: 'b' } }] } }),
      claim(['aud'], { stringMatch: { exact: 'api' } }),
      { notId: claim(['azp'], { stringMatch: { exact: 'web' } }) },
    ]);
  });

  it('experimental.envoy.filters.* reads another filter\'s metadata; "[v]" matches an element of a list', () => {
    expect(permissionRules({ when: [{ key: 'experimental.envoy.filters.a.b[c]', values: ['x', '[y]'] }] })).toEqual([
      {
        metadata: {
          filter: 'envoy.filters.a.b',
          path: [{ key: 'c' }],
          value: { orMatch: { valueMatchers: [{ stringMatch: { exact: 'x' } }, { listMatch: { oneOf: { stringMatch: { exact: 'y' } } } }] } },
        },
      },
    ]);
  });

  it('a key Istio does not know skips the rule', () => {
    expect(() => RuleModel.of({ when: [{ key: 'destination.labels[app]', values: ['x'] }] }, 'foo', bundle)).toThrow(/unknown attribute/);
  });
});

describe('trust domain aliases', () => {
  it('a principal in the local trust domain (or "cluster.local") is matched under every alias', () => {
    const aliased = new TrustDomainBundle('new.td', ['old.td']);
    const model = RuleModel.of({ from: [{ source: { principals: ['cluster.local/ns/a/sa/b', 'other.td/ns/a/sa/b'] } }] }, 'foo', aliased);
    const ids = ((model.generate(false, 'ALLOW') as { principals: { andIds: { ids: { orIds: { ids: Json[] } }[] } }[] }).principals[0]!.andIds.ids[0]!.orIds.ids);
    expect(ids).toEqual([
      authenticated({ exact: 'spiffe://new.td/ns/a/sa/b' }),
      authenticated({ exact: 'spiffe://old.td/ns/a/sa/b' }),
      authenticated({ exact: 'spiffe://other.td/ns/a/sa/b' }),
    ]);
  });
});

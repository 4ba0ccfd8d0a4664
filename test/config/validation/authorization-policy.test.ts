import { describe, expect, it } from 'vitest';
import { problems } from './validate.js';

const ap = (spec: string, annotations = ''): string =>
  `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: httpbin, namespace: foo${annotations}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
/** A one-rule ALLOW policy with the given `from` source. */
const fromSource = (source: string): string => ap(`rules: [{from: [{source: ${source}}]}]`);
const toOperation = (operation: string): string => ap(`rules: [{to: [{operation: ${operation}}]}]`);
const when = (condition: string, action = 'ALLOW'): string => ap(`action: ${action}\nrules: [{when: [${condition}]}]`);

describe('AuthorizationPolicy validation', () => {
  it("accepts the examples from Istio's AuthorizationPolicy reference", () => {
    // https://istio.io/latest/docs/reference/config/security/authorization-policy/
    const allow = `action: ALLOW
rules:
  - from:
      - source: {principals: ["cluster.local/ns/default/sa/sleep"]}
      - source: {namespaces: ["dev"]}
    to:
      - operation: {methods: ["GET"], paths: ["/info*", "/api/{*}/items/{**}"], ports: ["8080"]}
    when:
      - key: request.auth.claims[iss]
        values: ["https://accounts.google.com"]
      - key: source.ip
        notValues: ["10.0.0.0/8", "2001:db8::1"]
      - key: request.headers[x-token]
        values: ["*"]`;
    expect(problems(ap(allow))).toEqual([]);
    const deny = `selector:
  matchLabels: {app: httpbin, version: v1}
action: DENY
rules:
  - from: [{source: {notNamespaces: ["foo"], ipBlocks: ["1.2.3.4", "5.6.0.0/16"]}}]
  - from: [{source: {serviceAccounts: ["foo/sleep", "bar"], trustDomains: ["*.example.com"]}}]`;
    expect(problems(ap(deny))).toEqual([]);
    const custom = `action: CUSTOM
provider: {name: my-ext-authz}
rules: [{to: [{operation: {paths: ["/admin/*"]}}]}]`;
    expect(problems(ap(custom))).toEqual([]);
    // ALLOW without rules allows nothing; `{}` matches every request.
    expect(problems(ap('{}'))).toEqual([]);
    expect(problems(ap('rules: [{}]'))).toEqual([]);
    expect(problems(ap('action: DENY\nrules: [{}]'))).toEqual([]);
  });

  it('accepts only ALLOW, DENY, AUDIT and CUSTOM', () => {
    expect(problems(ap('action: REJECT'))).toEqual(['spec.action: unsupported action REJECT; use ALLOW, DENY, AUDIT or CUSTOM']);
  });

  it('needs rules for DENY and CUSTOM, which an empty list does not give', () => {
    const never = 'without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request';
    expect(problems(ap('action: DENY'))).toEqual([`spec.rules: DENY action ${never}`]);
    expect(problems(ap('action: DENY\nrules: []'))).toEqual([`spec.rules: DENY action ${never}`]);
    expect(problems(ap('action: CUSTOM\nprovider: {name: ext}'))).toEqual([`spec.rules: CUSTOM action ${never}`]);
  });

  it('needs a provider for CUSTOM and only for CUSTOM', () => {
    expect(problems(ap('action: CUSTOM\nrules: [{}]'))).toEqual(['spec.provider.name: `provider.name` must not be empty']);
    expect(problems(ap('action: CUSTOM\nprovider: {}\nrules: [{}]'))).toEqual(['spec.provider.name: `provider.name` must not be empty']);
    expect(problems(ap('action: DENY\nprovider: {name: ext}\nrules: [{}]'))).toEqual(['spec.provider: `provider` must not be with non CUSTOM action, found DENY']);
    expect(problems(ap('provider: {name: ext}'))).toEqual(['spec.provider: `provider` must not be with non CUSTOM action, found ALLOW']);
  });

  it('rejects what an external authorizer cannot match on with CUSTOM', () => {
    const spec = `action: CUSTOM
provider: {name: ext}
rules:
  - from: [{source: {principals: ["a"], ipBlocks: ["1.2.3.4"]}}]
    when: [{key: "request.auth.claims[iss]", values: [x]}, {key: source.namespace, values: [x]}, {key: source.ip, values: ["1.2.3.4"]}]`;
    expect(problems(ap(spec))).toEqual([
      'spec.rules[0].from[0].source.principals: From.Principals is currently not supported with CUSTOM action',
      'spec.rules[0].when[0].key: request.auth.claims[iss] is currently not supported with CUSTOM action',
      'spec.rules[0].when[1].key: source.namespace is currently not supported with CUSTOM action',
    ]);
  });

  it('allows one of selector, targetRef and targetRefs, to kinds a policy can attach to', () => {
    expect(problems(ap('targetRef: {kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}'))).toEqual([]);
    expect(problems(ap('targetRefs: [{kind: Service, group: "", name: reviews}, {kind: ServiceEntry, group: networking.istio.io, name: ext}]'))).toEqual([]);
    expect(problems(ap('selector: {matchLabels: {app: a}}\ntargetRef: {kind: Service, name: reviews}'))).toEqual([
      'spec: only one of targetRefs or workloadSelector can be set',
    ]);
    expect(problems(ap('targetRef: {kind: Deployment, group: apps, namespace: other}'))).toEqual([
      'spec.targetRef.name: targetRef name must be set',
      'spec.targetRef.namespace: targetRef namespace must not be set; cross namespace referencing is not supported',
      'spec.targetRef: targetRef must be to one of [core/v1/Service networking.istio.io/v1/ServiceEntry gateway.networking.k8s.io/v1/Gateway gateway.networking.k8s.io/v1/GatewayClass] but was apps/Deployment',
    ]);
  });

  it('needs a source in each from and an operation in each to, neither empty', () => {
    expect(problems(ap('rules: [{from: [{}], to: [{}]}]'))).toEqual([
      'spec.rules[0].from[0].source: `from.source` must not be nil, found at rule 0',
      'spec.rules[0].to[0].operation: `to.operation` must not be nil, found at rule 0',
    ]);
    expect(problems(ap('rules: [{}, {from: [{source: {}}], to: [{operation: {}}]}]'))).toEqual([
      'spec.rules[1].from[0].source: `from.source` must not be empty, found at rule 1',
      'spec.rules[1].to[0].operation: `to.operation` must not be empty, found at rule 1',
    ]);
    expect(problems(ap('rules: [null]'))).toEqual(['spec.rules[0]: `rule` must not be nil, found at rule 0']);
    // As in Istio once it has read the YAML, an empty from/to is no from/to.
    expect(problems(ap('rules: [{from: [], to: []}]'))).toEqual([]);
  });

  it('rejects empty values in sources and operations', () => {
    expect(problems(fromSource('{principals: [""], notRequestPrincipals: ["a", ""]}'))).toEqual([
      'spec.rules[0].from[0].source.principals: empty value not allowed, found in Principals',
      'spec.rules[0].from[0].source.notRequestPrincipals: empty value not allowed, found in NotRequestPrincipals',
    ]);
    expect(problems(toOperation('{methods: [""], notHosts: [""]}'))).toEqual([
      'spec.rules[0].to[0].operation.notHosts: empty value not allowed, found in NotHosts',
      'spec.rules[0].to[0].operation.methods: empty value not allowed, found in Methods',
    ]);
  });

  it('does not combine serviceAccounts with namespaces or principals, and checks their form', () => {
    expect(problems(fromSource('{principals: [a], serviceAccounts: [ns/sa]}'))).toEqual([
      'spec.rules[0].from[0].source: cannot set serviceAccounts with namespaces or principals, found at rule 0',
    ]);
    expect(problems(fromSource('{serviceAccounts: ["a/b/c"]}'))).toEqual([
      'spec.rules[0].from[0].source.serviceAccounts: expected format \'serviceAccount\' or \'namespace/serviceAccount\', found "a/b/c" in ServiceAccounts',
    ]);
    expect(problems(fromSource('{notServiceAccounts: ["ns/*"]}'))).toEqual([
      'spec.rules[0].from[0].source.notServiceAccounts: wildcard not allowed, found in NotServiceAccounts',
    ]);
    expect(problems(fromSource('{serviceAccounts: ["/sa"]}'))).toEqual([
      'spec.rules[0].from[0].source.serviceAccounts: expected format \'serviceAccount\' or \'namespace/serviceAccount\', found empty namespace "/sa" in ServiceAccounts',
    ]);
  });

  it('checks trust domains', () => {
    expect(problems(fromSource('{trustDomains: ["a*b"], notTrustDomains: ["td/x"]}'))).toEqual([
      'spec.rules[0].from[0].source.trustDomains: wildcard is only allowed at the start or end, found in TrustDomains: "a*b"',
      'spec.rules[0].from[0].source.notTrustDomains: trust domain must not contain \'/\', found in NotTrustDomains: "td/x"',
    ]);
  });

  it('checks IP blocks', () => {
    expect(problems(fromSource('{ipBlocks: ["1.2.3", "10.0.0.0/33", "10.0.0.0/x"], remoteIpBlocks: ["::1/129"]}'))).toEqual([
      'spec.rules[0].from[0].source.ipBlocks: bad IP address (1.2.3)',
      'spec.rules[0].from[0].source.ipBlocks: bad CIDR range (10.0.0.0/33): prefix length out of range',
      'spec.rules[0].from[0].source.ipBlocks: bad CIDR range (10.0.0.0/x): bad bits after slash: "x"',
      'spec.rules[0].from[0].source.remoteIpBlocks: bad CIDR range (::1/129): prefix length out of range',
    ]);
  });

  it('checks operation ports and path templates', () => {
    expect(problems(toOperation('{ports: ["http", "70000"]}'))).toEqual([
      'spec.rules[0].to[0].operation.ports: bad port (http): strconv.ParseUint: parsing "http": invalid syntax',
      'spec.rules[0].to[0].operation.ports: bad port (70000): must be in the range 0..65535',
    ]);
    expect(problems(toOperation('{ports: [8080]}'))).toEqual(['spec.rules[0].to[0].operation.ports[0]: must be a string']);
    expect(problems(toOperation('{paths: ["/a/{**}/b/{*}"]}'))).toEqual([
      'spec.rules[0].to[0].operation.paths: invalid or unsupported path a/{**}/b/{*}, found in Paths. {**} is not the last operator',
    ]);
    expect(problems(toOperation('{notPaths: ["/a/{id}"]}'))).toEqual([
      "spec.rules[0].to[0].operation.notPaths: invalid or unsupported path a/{id}, found in NotPaths. Contains '{' or '}' beyond a supported path template",
    ]);
    expect(problems(toOperation('{paths: ["/a b/{*}"]}'))).toEqual([
      'spec.rules[0].to[0].operation.paths: invalid or unsupported path a b/{*}, found in Paths. Contains segment a b with invalid string literal',
    ]);
  });

  it.each([
    ['{key: "", values: [a]}', 'spec.rules[0].when[0].key: `key` must not be empty'],
    ['{key: source.ip}', 'spec.rules[0].when[0]: at least one of `values` or `notValues` must be set for key source.ip'],
    ['{key: source.ip, values: ["10.0.0.300"]}', 'spec.rules[0].when[0].values: invalid `value` for `key` source.ip: bad IP address (10.0.0.300)'],
    ['{key: destination.port, notValues: ["x"]}', 'spec.rules[0].when[0].notValues: invalid `notValue` for `key` destination.port: bad port (x): strconv.ParseUint: parsing "x": invalid syntax'],
    ['{key: request.auth.claims, values: [a]}', 'spec.rules[0].when[0].values: invalid `value` for `key` request.auth.claims: bad key (request.auth.claims): should have format a[b]'],
    ['{key: "request.headers[]", values: [a]}', 'spec.rules[0].when[0].values: invalid `value` for `key` request.headers[]: bad key (request.headers[]): should have format a[b]'],
    ['{key: source.user, values: [a]}', 'spec.rules[0].when[0].values: invalid `value` for `key` source.user: unknown attribute: source.user'],
    ['{key: "destination.labels[app]", values: [a]}', 'spec.rules[0].when[0].values: invalid `value` for `key` destination.labels[app]: attribute destination.labels[app] is replaced by the workload selector'],
    ['{key: destination.namespace, values: [a]}', 'spec.rules[0].when[0].values: invalid `value` for `key` destination.namespace: attribute destination.namespace is replaced by the metadata.namespace'],
    ['{key: destination.user, values: [a]}', 'spec.rules[0].when[0].values: invalid `value` for `key` destination.user: deprecated attribute destination.user: only supported in v1alpha1'],
    ['{key: source.principal, values: [""]}', 'spec.rules[0].when[0].values: invalid `value` for `key` source.principal: empty value not allowed, found in source.principal'],
    ['{key: source.serviceAccount, values: ["a/b/c"]}', 'spec.rules[0].when[0].values: invalid `value` for `key` source.serviceAccount: expected format \'serviceAccount\' or \'namespace/serviceAccount\', found "a/b/c" in source.serviceAccount'],
    ['{key: source.trustDomain, values: ["*a*"]}', 'spec.rules[0].when[0].values: invalid `value` for `key` source.trustDomain: at most one wildcard is allowed, found in source.trustDomain: "*a*"'],
  ])('rejects the condition %s', (condition, message) => {
    expect(problems(when(condition))).toEqual([message]);
  });

  it.each([
    'request.auth.principal',
    'request.auth.audiences',
    'request.auth.presenter',
    'request.auth.claims[groups]',
    'request.auth.claims[nested][key]',
    'request.headers[User-Agent]',
    'source.namespace',
    'connection.sni',
    'remote.ip',
    'destination.ip',
    'experimental.envoy.filters.network.mysql_proxy[db.table]',
  ])('accepts the condition key %s', (key) => {
    const value = key.endsWith('.ip') ? '10.0.0.0/8' : 'x';
    expect(problems(when(`{key: "${key}", values: ["${value}"]}`))).toEqual([]);
  });

  it('checks the dry-run annotation', () => {
    const dryRun = (value: string): string => `, annotations: {istio.io/dry-run: "${value}"}`;
    expect(problems(ap('action: DENY\nrules: [{}]', dryRun('true')))).toEqual([]);
    expect(problems(ap('{}', dryRun('maybe')))).toEqual([
      'metadata.annotations.istio.io/dry-run: foo/httpbin has annotation istio.io/dry-run with invalid value (maybe): strconv.ParseBool: parsing "maybe": invalid syntax',
    ]);
    expect(problems(ap('action: AUDIT', dryRun('true')))).toEqual([
      'metadata.annotations.istio.io/dry-run: the annotation istio.io/dry-run currently only supports action ALLOW/DENY, found action AUDIT in foo/httpbin',
    ]);
  });
});

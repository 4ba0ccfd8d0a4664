/**
 * The PGV rule families, each seeded into a real Envoy message where an
 * Envoy proto uses the rule, and into a proto written here where none of
 * the protos tsiod loads does.
 */
import { describe, expect, it } from 'vitest';
import { envoyViolations, rulesAt, syntheticValidator } from './support/validate-message.js';

const CLUSTER = 'envoy.config.cluster.v3.Cluster';
const ROUTE = 'envoy.config.route.v3.Route';
const ROUTE_CONFIG = 'envoy.config.route.v3.RouteConfiguration';
const LISTENER = 'envoy.config.listener.v3.Listener';
const HEALTH_CHECK = 'envoy.config.core.v3.HealthCheck';
const CLA = 'envoy.config.endpoint.v3.ClusterLoadAssignment';
const HCM_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

const validCluster = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'outbound|80||a.default.svc.cluster.local',
  type: 'EDS',
  edsClusterConfig: { edsConfig: { ads: {}, resourceApiVersion: 'V3' } },
  connectTimeout: { seconds: 10 },
  ...overrides,
});

const routeConfig = (virtualHost: Record<string, unknown>): Record<string, unknown> => ({
  name: '80',
  virtualHosts: [{ name: 'a:80', domains: ['a'], routes: [{ match: { prefix: '/' }, route: { cluster: 'c' } }], ...virtualHost }],
});

const listenerWithHttpFilters = (httpFilters: unknown[]): Record<string, unknown> => ({
  name: '0.0.0.0_80',
  address: { socketAddress: { address: '0.0.0.0', portValue: 80 } },
  filterChains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typedConfig: {
    '@type': HCM_TYPE, statPrefix: 'outbound_0.0.0.0_80',
    rds: { routeConfigName: '80', configSource: { ads: {}, resourceApiVersion: 'V3' } },
    httpFilters,
  } }] }],
});

const claWith = (lbEndpoint: Record<string, unknown>, locality: Record<string, unknown> = {}): Record<string, unknown> => ({
  clusterName: 'c',
  endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '10.0.0.1', portValue: 8080 } } }, ...lbEndpoint }], ...locality }],
});

describe('valid Envoy resources', () => {
  it('report no violations', () => {
    expect(envoyViolations(CLUSTER, validCluster())).toEqual([]);
    expect(envoyViolations(ROUTE_CONFIG, routeConfig({}))).toEqual([]);
    expect(envoyViolations(LISTENER, listenerWithHttpFilters([{ name: 'envoy.filters.http.router', typedConfig: { '@type': ROUTER_TYPE } }]))).toEqual([]);
    expect(envoyViolations(CLA, claWith({}))).toEqual([]);
  });
});

describe('string rules', () => {
  it('min_len: a Cluster with an empty name, with the PGV message', () => {
    expect(envoyViolations(CLUSTER, validCluster({ name: '' }))).toEqual([
      { path: 'name', rule: 'string.min_len', message: 'value length must be at least 1 characters' },
    ]);
  });

  it('min_len counts characters, not UTF-16 units or bytes', () => {
    const v = syntheticValidator('message M { string s = 1 [(validate.rules).string = {min_len: 2 max_len: 2}]; }');
    expect(v.violations('test.M', { s: '😀😀' })).toEqual([]);
    expect(rulesAt(v.violations('test.M', { s: '😀' }))).toEqual(['string.min_len @ s']);
    expect(rulesAt(v.violations('test.M', { s: 'abc' }))).toEqual(['string.max_len @ s']);
  });

  it('min_bytes / max_bytes count UTF-8 bytes', () => {
    const v = syntheticValidator('message M { string s = 1 [(validate.rules).string = {min_bytes: 3 max_bytes: 4}]; }');
    expect(v.violations('test.M', { s: 'é' })).toHaveLength(1); // 2 bytes
    expect(v.violations('test.M', { s: 'éé' })).toEqual([]); // 4 bytes
    expect(rulesAt(v.violations('test.M', { s: 'ééé' }))).toEqual(['string.max_bytes @ s']);
  });

  it('max_bytes on a real header key', () => {
    const huge = 'x'.repeat(16_385);
    expect(rulesAt(envoyViolations(ROUTE_CONFIG, routeConfig({ requestHeadersToAdd: [{ header: { key: huge, value: 'v' } }] }))))
      .toEqual(['string.max_bytes @ virtualHosts[0].requestHeadersToAdd[0].header.key']);
  });

  it('well_known_regex HTTP_HEADER_NAME (strict: false): a header name with a newline', () => {
    expect(envoyViolations(ROUTE_CONFIG, routeConfig({ requestHeadersToAdd: [{ header: { key: 'x-bad\nname', value: 'v' } }] }))).toEqual([
      { path: 'virtualHosts[0].requestHeadersToAdd[0].header.key', rule: 'string.well_known_regex', message: 'value must be a valid HTTP header name' },
    ]);
    // Loose mode allows what strict header-name syntax does not (a space), but never CR, LF or NUL.
    expect(envoyViolations(ROUTE_CONFIG, routeConfig({ requestHeadersToAdd: [{ header: { key: 'x odd', value: 'v' } }] }))).toEqual([]);
  });

  it('well_known_regex HTTP_HEADER_VALUE: a header value with a carriage return', () => {
    expect(rulesAt(envoyViolations(ROUTE_CONFIG, routeConfig({ requestHeadersToAdd: [{ header: { key: 'x-a', value: 'a\rb' } }] }))))
      .toEqual(['string.well_known_regex @ virtualHosts[0].requestHeadersToAdd[0].header.value']);
  });

  it('well_known_regex in strict mode (the default) follows RFC 7230 token syntax', () => {
    const v = syntheticValidator(`message M {
      string name = 1 [(validate.rules).string.well_known_regex = HTTP_HEADER_NAME];
      string value = 2 [(validate.rules).string.well_known_regex = HTTP_HEADER_VALUE];
    }`);
    expect(v.violations('test.M', { name: ':authority', value: 'a\tb' })).toEqual([]);
    expect(rulesAt(v.violations('test.M', { name: 'x odd', value: 'a\u0001' }))).toEqual(['string.well_known_regex @ name', 'string.well_known_regex @ value']);
  });

  it('ignore_empty: an empty override_auto_sni_header passes, a bad one does not', () => {
    const cluster = (sni: string): Record<string, unknown> => validCluster({ upstreamHttpProtocolOptions: { autoSni: true, overrideAutoSniHeader: sni } });
    expect(envoyViolations(CLUSTER, cluster(''))).toEqual([]);
    expect(rulesAt(envoyViolations(CLUSTER, cluster('bad\nheader')))).toEqual(['string.well_known_regex @ upstreamHttpProtocolOptions.overrideAutoSniHeader']);
  });

  it('pattern (RE2): RouteMatch.path_separated_prefix must not end in a slash', () => {
    const route = (p: string): Record<string, unknown> => ({ match: { pathSeparatedPrefix: p }, route: { cluster: 'c' } });
    expect(envoyViolations(ROUTE, route('/api'))).toEqual([]);
    expect(envoyViolations(ROUTE, route('/api/'))).toEqual([
      { path: 'match.pathSeparatedPrefix', rule: 'string.pattern', message: 'value does not match regex pattern "^[^?#]+[^?#/]$"' },
    ]);
  });

  it('in: SchemeHeaderTransformation.scheme_to_overwrite is http or https', () => {
    const hcm = (scheme: string): Record<string, unknown> => ({ statPrefix: 's', rds: { routeConfigName: '80', configSource: { ads: {} } }, schemeHeaderTransformation: { schemeToOverwrite: scheme } });
    const type = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
    expect(envoyViolations(type, hcm('https'))).toEqual([]);
    expect(envoyViolations(type, hcm('ftp'))).toEqual([
      { path: 'schemeHeaderTransformation.schemeToOverwrite', rule: 'string.in', message: 'value must be in list ["http", "https"]' },
    ]);
  });

  it('prefix, suffix, contains, not_contains, not_in, const, len, len_bytes', () => {
    const v = syntheticValidator(`message M {
      string a = 1 [(validate.rules).string = {prefix: "outbound|" suffix: ".local" contains: "||"}];
      string b = 2 [(validate.rules).string = {not_contains: "/" not_in: "x" not_in: "y"}];
      string c = 3 [(validate.rules).string = {const: "V3"}];
      string d = 4 [(validate.rules).string = {len: 2 len_bytes: 3}];
    }`);
    expect(v.violations('test.M', { a: 'outbound|80||a.local', b: 'z', c: 'V3', d: 'aé' })).toEqual([]);
    expect(rulesAt(v.violations('test.M', { a: 'inbound|80|a.svc', b: 'y', c: 'V2', d: 'ab' }))).toEqual([
      'string.prefix @ a', 'string.suffix @ a', 'string.contains @ a', 'string.not_in @ b', 'string.const @ c', 'string.len_bytes @ d',
    ]);
    expect(rulesAt(v.violations('test.M', { a: 'outbound|80||a.local', b: 'a/b', c: 'V3', d: 'aéé' }))).toEqual([
      'string.not_contains @ b', 'string.len @ d', 'string.len_bytes @ d',
    ]);
  });

  it('address, hostname, ip, ipv4, ipv6, email, uri, uri_ref, uuid', () => {
    const v = syntheticValidator(`message M {
      string address = 1 [(validate.rules).string.address = true];
      string hostname = 2 [(validate.rules).string.hostname = true];
      string ip = 3 [(validate.rules).string.ip = true];
      string ipv4 = 4 [(validate.rules).string.ipv4 = true];
      string ipv6 = 5 [(validate.rules).string.ipv6 = true];
      string email = 6 [(validate.rules).string.email = true];
      string uri = 7 [(validate.rules).string.uri = true];
      string uri_ref = 8 [(validate.rules).string.uri_ref = true];
      string uuid = 9 [(validate.rules).string.uuid = true];
    }`);
    const good = {
      address: 'reviews.default.svc.cluster.local', hostname: 'a-b.example.com.', ip: '::1', ipv4: '10.0.0.1', ipv6: 'fe80::1',
      email: 'Istio <dev@istio.io>', uri: 'https://istio.io/x', uriRef: '/relative/path', uuid: '123e4567-e89b-12d3-a456-426614174000',
    };
    expect(v.violations('test.M', good)).toEqual([]);
    const bad = {
      address: 'not_a_host!', hostname: '-leading.example.com', ip: '10.0.0.256', ipv4: '::1', ipv6: 'fe80::1%eth0',
      email: 'no-at-sign', uri: 'relative/only', uriRef: 'http://[bad', uuid: '123e4567',
    };
    expect(rulesAt(v.violations('test.M', bad))).toEqual([
      'string.address @ address', 'string.hostname @ hostname', 'string.ip @ ip', 'string.ipv4 @ ipv4', 'string.ipv6 @ ipv6',
      'string.email @ email', 'string.uri @ uri', 'string.uri_ref @ uriRef', 'string.uuid @ uuid',
    ]);
  });
});

describe('number rules', () => {
  it('uint32 lte: a port above 65535', () => {
    expect(envoyViolations(CLA, claWith({ endpoint: { address: { socketAddress: { address: '10.0.0.1', portValue: 70_000 } } } }))).toEqual([
      { path: 'endpoints[0].lbEndpoints[0].endpoint.address.socketAddress.portValue', rule: 'uint32.lte', message: 'value must be less than or equal to 65535' },
    ]);
  });

  it('validates the decoded value: -1 given for a uint32 goes on the wire as 4294967295', () => {
    expect(rulesAt(envoyViolations(CLA, claWith({ endpoint: { address: { socketAddress: { address: '10.0.0.1', portValue: -1 } } } }))))
      .toEqual(['uint32.lte @ endpoints[0].lbEndpoints[0].endpoint.address.socketAddress.portValue']);
  });

  it('uint32 lte on an implicit field: a locality priority above 128', () => {
    expect(rulesAt(envoyViolations(CLA, claWith({}, { priority: 129 })))).toEqual(['uint32.lte @ endpoints[0].priority']);
  });

  it('wrappers: UInt32Value gte applies to .value, only when the wrapper is set', () => {
    expect(rulesAt(envoyViolations(CLA, claWith({ loadBalancingWeight: { value: 0 } }))))
      .toEqual(['uint32.gte @ endpoints[0].lbEndpoints[0].loadBalancingWeight']);
    expect(envoyViolations(CLA, claWith({ loadBalancingWeight: { value: 1 } }))).toEqual([]);
  });

  it('DoubleValue range [1, 3] and UInt64Value lte', () => {
    expect(envoyViolations(CLUSTER, validCluster({ preconnectPolicy: { perUpstreamPreconnectRatio: { value: 5 } } }))).toEqual([
      { path: 'preconnectPolicy.perUpstreamPreconnectRatio', rule: 'double.lte', message: 'value must be inside range [1, 3]' },
    ]);
    expect(rulesAt(envoyViolations(CLUSTER, validCluster({ lbPolicy: 'RING_HASH', ringHashLbConfig: { minimumRingSize: { value: 8_388_609 } } }))))
      .toEqual(['uint64.lte @ ringHashLbConfig.minimumRingSize']);
  });

  it('gt, gte, lt, lte, const, in, not_in, and exclusive ranges across integer and float kinds', () => {
    const v = syntheticValidator(`message M {
      int32 a = 1 [(validate.rules).int32 = {gt: 0 lt: 10}];
      sint32 b = 2 [(validate.rules).sint32 = {gt: 10 lt: 0}];
      int64 c = 3 [(validate.rules).int64 = {in: 1 in: 2}];
      uint32 d = 4 [(validate.rules).uint32 = {not_in: 7}];
      float e = 5 [(validate.rules).float = {gte: 0.5}];
      fixed32 f = 6 [(validate.rules).fixed32 = {const: 3}];
    }`);
    expect(v.violations('test.M', { a: 5, b: -1, c: 2, d: 1, e: 0.5, f: 3 })).toEqual([]);
    expect(v.violations('test.M', { a: 10, b: 5, c: 3, d: 7, e: 0.25, f: 4 })).toEqual([
      { path: 'a', rule: 'int32.lt', message: 'value must be inside range (0, 10)' },
      { path: 'b', rule: 'sint32.gt', message: 'value must be outside range [0, 10]' },
      { path: 'c', rule: 'int64.in', message: 'value must be in list [1, 2]' },
      { path: 'd', rule: 'uint32.not_in', message: 'value must not be in list [7]' },
      { path: 'e', rule: 'float.gte', message: 'value must be greater than or equal to 0.5' },
      { path: 'f', rule: 'fixed32.const', message: 'value must equal 3' },
    ]);
  });

  it('an unset implicit number is checked as zero', () => {
    const v = syntheticValidator('message M { uint32 n = 1 [(validate.rules).uint32.gt = 0]; }');
    expect(rulesAt(v.violations('test.M', {}))).toEqual(['uint32.gt @ n']);
  });

  it('64-bit values compare exactly past 2^53', () => {
    const v = syntheticValidator('message M { uint64 n = 1 [(validate.rules).uint64 = {lte: "9007199254740992"}]; }');
    expect(v.violations('test.M', { n: '9007199254740992' })).toEqual([]);
    expect(rulesAt(v.violations('test.M', { n: '9007199254740993' }))).toEqual(['uint64.lte @ n']);
  });

  it('ignore_empty on a number skips the zero value', () => {
    const v = syntheticValidator('message M { uint32 n = 1 [(validate.rules).uint32 = {gte: 10 ignore_empty: true}]; }');
    expect(v.violations('test.M', { n: 0 })).toEqual([]);
    expect(rulesAt(v.violations('test.M', { n: 5 }))).toEqual(['uint32.gte @ n']);
  });
});

describe('enum rules', () => {
  it('defined_only: an unknown enum value', () => {
    expect(envoyViolations(CLUSTER, validCluster({ lbPolicy: 42 }))).toEqual([
      { path: 'lbPolicy', rule: 'enum.defined_only', message: 'value must be one of the defined enum values' },
    ]);
  });

  it('not_in: a CONNECT health check', () => {
    const hc = (method: string): Record<string, unknown> => ({
      timeout: { seconds: 1 }, interval: { seconds: 5 }, unhealthyThreshold: { value: 2 }, healthyThreshold: { value: 1 },
      httpHealthCheck: { path: '/healthz', method },
    });
    expect(envoyViolations(HEALTH_CHECK, hc('GET'))).toEqual([]);
    expect(rulesAt(envoyViolations(HEALTH_CHECK, hc('CONNECT')))).toEqual(['enum.not_in @ httpHealthCheck.method']);
  });

  it('const and in', () => {
    const v = syntheticValidator(`enum E { ZERO = 0; ONE = 1; TWO = 2; }
      message M { E a = 1 [(validate.rules).enum.const = 1]; E b = 2 [(validate.rules).enum = {in: 0 in: 2}]; }`);
    expect(v.violations('test.M', { a: 'ONE', b: 'TWO' })).toEqual([]);
    expect(rulesAt(v.violations('test.M', { a: 'TWO', b: 'ONE' }))).toEqual(['enum.const @ a', 'enum.in @ b']);
  });
});

describe('bool and bytes rules', () => {
  it('bool const: a filter-chain match predicate any_match must be true', () => {
    const listener = { name: 'l', address: { socketAddress: { address: '0.0.0.0', portValue: 1 } }, listenerFilters: [{ name: 'f', filterDisabled: { anyMatch: false } }] };
    expect(rulesAt(envoyViolations(LISTENER, listener))).toEqual(['bool.const @ listenerFilters[0].filterDisabled.anyMatch']);
  });

  it('bytes max_len: a raw header value over 16 KiB', () => {
    const header = { key: 'x-a', rawValue: Buffer.alloc(16_385, 0x61).toString('base64') };
    expect(rulesAt(envoyViolations(ROUTE_CONFIG, routeConfig({ requestHeadersToAdd: [{ header }] }))))
      .toEqual(['bytes.max_len @ virtualHosts[0].requestHeadersToAdd[0].header.rawValue']);
  });

  it('bytes len, prefix, in, ip', () => {
    const v = syntheticValidator(`message M {
      bytes a = 1 [(validate.rules).bytes = {len: 2 prefix: "a"}];
      bytes b = 2 [(validate.rules).bytes = {in: "x" in: "y"}];
      bytes c = 3 [(validate.rules).bytes.ipv4 = true];
    }`);
    const b64 = (s: string | number[]): string => Buffer.from(s as string).toString('base64');
    expect(v.violations('test.M', { a: b64('ab'), b: b64('y'), c: b64([10, 0, 0, 1]) })).toEqual([]);
    expect(rulesAt(v.violations('test.M', { a: b64('bcd'), b: b64('z'), c: b64('abc') }))).toEqual([
      'bytes.len @ a', 'bytes.prefix @ a', 'bytes.in @ b', 'bytes.ipv4 @ c',
    ]);
  });
});

describe('repeated and map rules', () => {
  it('min_items: a RouteAction with no weighted clusters', () => {
    expect(envoyViolations(ROUTE, { match: { prefix: '/' }, route: { weightedClusters: { clusters: [] } } })).toEqual([
      { path: 'route.weightedClusters.clusters', rule: 'repeated.min_items', message: 'value must contain at least 1 item(s)' },
    ]);
  });

  it('max_items: more than 1000 health-check headers', () => {
    const headers = Array.from({ length: 1001 }, (_, i) => ({ header: { key: `x-${i}`, value: 'v' } }));
    const hc = { timeout: { seconds: 1 }, interval: { seconds: 5 }, unhealthyThreshold: { value: 2 }, healthyThreshold: { value: 1 }, httpHealthCheck: { path: '/', requestHeadersToAdd: headers } };
    expect(rulesAt(envoyViolations(HEALTH_CHECK, hc))).toEqual(['repeated.max_items @ httpHealthCheck.requestHeadersToAdd']);
  });

  it('unique and items: internal-redirect headers to copy', () => {
    const route = (headers: string[]): Record<string, unknown> => ({ match: { prefix: '/' }, route: { cluster: 'c', internalRedirectPolicy: { responseHeadersToCopy: headers } } });
    expect(envoyViolations(ROUTE, route(['x-a', 'x-b']))).toEqual([]);
    expect(envoyViolations(ROUTE, route(['x-a', 'x-a', 'bad\n']))).toEqual([
      { path: 'route.internalRedirectPolicy.responseHeadersToCopy', rule: 'repeated.unique', message: 'repeated value must contain unique items' },
      { path: 'route.internalRedirectPolicy.responseHeadersToCopy[2]', rule: 'repeated.items.string.well_known_regex', message: 'value must be a valid HTTP header name' },
    ]);
  });

  it('items: an empty header name to remove', () => {
    expect(rulesAt(envoyViolations(ROUTE_CONFIG, routeConfig({ requestHeadersToRemove: ['x-a', ''] }))))
      .toEqual(['repeated.items.string.min_len @ virtualHosts[0].requestHeadersToRemove[1]']);
  });

  it('map keys: filter metadata under an empty filter name', () => {
    const metadata = { filterMetadata: { '': { fields: {} }, 'istio': { fields: {} } } };
    expect(envoyViolations(CLUSTER, validCluster({ metadata }))).toEqual([
      { path: 'metadata.filterMetadata[""]', rule: 'map.keys.string.min_len', message: 'value length must be at least 1 characters' },
    ]);
  });

  it('map min_pairs, max_pairs and value rules; repeated ignore_empty', () => {
    const v = syntheticValidator(`message M {
      map<string, uint32> m = 1 [(validate.rules).map = {min_pairs: 1 max_pairs: 2 values {uint32 {gt: 0}}}];
      repeated string r = 2 [(validate.rules).repeated = {min_items: 2 ignore_empty: true}];
    }`);
    expect(v.violations('test.M', { m: { a: 1 } })).toEqual([]);
    expect(rulesAt(v.violations('test.M', {}))).toEqual(['map.min_pairs @ m']);
    expect(rulesAt(v.violations('test.M', { m: { a: 1, b: 0, c: 3 }, r: ['x'] }))).toEqual([
      'map.values.uint32.gt @ m["b"]', 'map.max_pairs @ m', 'repeated.min_items @ r',
    ]);
  });
});

describe('message, oneof and Any rules', () => {
  it('message.required and duration.required: a HealthCheck missing timeout and thresholds', () => {
    expect(envoyViolations(HEALTH_CHECK, { interval: { seconds: 5 }, tcpHealthCheck: {} })).toEqual([
      { path: 'timeout', rule: 'duration.required', message: 'value is required' },
      { path: 'unhealthyThreshold', rule: 'message.required', message: 'value is required' },
      { path: 'healthyThreshold', rule: 'message.required', message: 'value is required' },
    ]);
  });

  it('(validate.required) oneof: a Route with no action, an Address with no kind', () => {
    expect(envoyViolations(ROUTE, { match: { prefix: '/' } })).toEqual([{ path: 'action', rule: 'oneof.required', message: 'value is required' }]);
    expect(rulesAt(envoyViolations(CLA, claWith({ endpoint: { address: {} } })))).toEqual(['oneof.required @ endpoints[0].lbEndpoints[0].endpoint.address.address']);
  });

  it('a oneof member is checked only when it is the one set', () => {
    // RouteMatch.safe_regex carries message.required, but is in the path_specifier oneof.
    expect(envoyViolations(ROUTE, { match: { prefix: '/' }, route: { cluster: 'c' } })).toEqual([]);
    expect(rulesAt(envoyViolations(ROUTE, { match: { prefix: '/' }, route: { cluster: '' } }))).toEqual(['string.min_len @ route.cluster']);
  });

  it('descends into Any: an HTTP filter with an empty name inside the HttpConnectionManager', () => {
    const filters = [{ name: 'envoy.filters.http.router', typedConfig: { '@type': ROUTER_TYPE } }, { name: '' }];
    expect(envoyViolations(LISTENER, listenerWithHttpFilters(filters))).toEqual([
      { path: 'filterChains[0].filters[0].typedConfig.httpFilters[1].name', rule: 'string.min_len', message: 'value length must be at least 1 characters' },
    ]);
  });

  it('an Any of a type the root does not know is skipped, unless its field requires more', () => {
    const unknownAny = { '@type': 'type.googleapis.com/example.NotLoaded' };
    expect(envoyViolations(LISTENER, listenerWithHttpFilters([{ name: 'x', typedConfig: unknownAny }]))).toEqual([]);
  });

  it('any.required: a TypedExtensionConfig with no typed_config', () => {
    expect(rulesAt(envoyViolations(CLUSTER, validCluster({ upstreamConfig: { name: 'envoy.upstreams.http.generic' } }))))
      .toEqual(['any.required @ upstreamConfig.typedConfig']);
  });

  it('any in / not_in, message.skip, and (validate.disabled)', () => {
    const v = syntheticValidator(`
      message Inner { string s = 1 [(validate.rules).string.min_len = 1]; }
      message Off { option (validate.disabled) = true; string s = 1 [(validate.rules).string.min_len = 1]; }
      message M {
        google.protobuf.Any a = 1 [(validate.rules).any = {in: "type.googleapis.com/test.Inner"}];
        google.protobuf.Any b = 2 [(validate.rules).any = {not_in: "type.googleapis.com/test.Inner"}];
        Inner skipped = 3 [(validate.rules).message.skip = true];
        Inner checked = 4;
        Off off = 5;
      }`);
    const inner = (s: string): Record<string, unknown> => ({ '@type': 'type.googleapis.com/test.Inner', s });
    expect(v.violations('test.M', { a: inner('x'), skipped: { s: '' }, off: { s: '' }, checked: { s: 'y' } })).toEqual([]);
    expect(rulesAt(v.violations('test.M', { a: { '@type': 'type.googleapis.com/test.Off' }, b: inner(''), checked: { s: '' } }))).toEqual([
      'any.in @ a', 'any.not_in @ b', 'string.min_len @ b.s', 'string.min_len @ checked.s',
    ]);
  });
});

describe('duration and timestamp rules', () => {
  it('duration.gt: a zero or negative connect timeout', () => {
    expect(envoyViolations(CLUSTER, validCluster({ connectTimeout: { seconds: 0 } }))).toEqual([
      { path: 'connectTimeout', rule: 'duration.gt', message: 'value must be greater than 0s' },
    ]);
    expect(rulesAt(envoyViolations(CLUSTER, validCluster({ connectTimeout: { seconds: -1 } })))).toEqual(['duration.gt @ connectTimeout']);
    expect(envoyViolations(CLUSTER, validCluster({ connectTimeout: { nanos: 1 } }))).toEqual([]);
  });

  it('duration.gt with nanos: a DNS refresh rate must exceed 1ms', () => {
    expect(envoyViolations(CLUSTER, validCluster({ dnsRefreshRate: { nanos: 500_000 } }))).toEqual([
      { path: 'dnsRefreshRate', rule: 'duration.gt', message: 'value must be greater than 0.001s' },
    ]);
  });

  it('duration const, in, not_in and a [gte, lt) range', () => {
    const v = syntheticValidator(`message M {
      google.protobuf.Duration a = 1 [(validate.rules).duration = {gte {} lt {seconds: 5}}];
      google.protobuf.Duration b = 2 [(validate.rules).duration = {in {seconds: 1} in {seconds: 2}}];
      google.protobuf.Duration c = 3 [(validate.rules).duration = {const {seconds: 3}}];
      google.protobuf.Duration d = 4 [(validate.rules).duration = {not_in {seconds: 1}}];
    }`);
    expect(v.violations('test.M', { a: { seconds: 0 }, b: { seconds: 2 }, c: { seconds: 3 } })).toEqual([]);
    expect(v.violations('test.M', { a: { seconds: 5 }, b: { seconds: 3 }, c: { seconds: 3, nanos: 1 }, d: { seconds: 1 } })).toEqual([
      { path: 'a', rule: 'duration.lt', message: 'value must be inside range [0s, 5s)' },
      { path: 'b', rule: 'duration.in', message: 'value must be in list ["1s", "2s"]' },
      { path: 'c', rule: 'duration.const', message: 'value must equal 3s' },
      { path: 'd', rule: 'duration.not_in', message: 'value must not be in list ["1s"]' },
    ]);
  });

  it('timestamp required, gt, lt_now', () => {
    const v = syntheticValidator(`message M {
      google.protobuf.Timestamp a = 1 [(validate.rules).timestamp = {required: true gt {seconds: 1000}}];
      google.protobuf.Timestamp b = 2 [(validate.rules).timestamp.lt_now = true];
    }`);
    const now = Math.floor(Date.now() / 1000);
    expect(v.violations('test.M', { a: { seconds: 1001 }, b: { seconds: now - 60 } })).toEqual([]);
    expect(rulesAt(v.violations('test.M', { b: { seconds: now + 3600 } }))).toEqual(['timestamp.required @ a', 'timestamp.lt_now @ b']);
    expect(rulesAt(v.violations('test.M', { a: { seconds: 1000 } }))).toEqual(['timestamp.gt @ a']);
  });
});

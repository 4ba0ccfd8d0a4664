/**
 * Garbage in, errors out: every validator added for the Istio gateway,
 * sidecar and security kinds reports a wrongly shaped object field by field
 * and never throws, wherever the junk is.
 */
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/load-config-text.js';
import { readObjects } from '../../../src/config/read-object.js';
import { validateObject } from '../../../src/config/validation/validate-object.js';
import { problems } from './validate.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const doc = (kind: string, group: string, spec: Json): { [key: string]: Json } => ({
  apiVersion: `${group}/v1`,
  kind,
  metadata: { name: 'x', namespace: 'ns' },
  spec,
});

/** One valid, fairly complete object per kind: the tree the junk is planted in. */
const VALID: ReadonlyArray<{ [key: string]: Json }> = [
  doc('Gateway', 'networking.istio.io', {
    selector: { istio: 'ingressgateway' },
    servers: [
      { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['a.example.com'], tls: { httpsRedirect: true } },
      {
        port: { number: 443, name: 'https', protocol: 'HTTPS' },
        hosts: ['ns/*.example.com'],
        bind: '0.0.0.0',
        tls: { mode: 'MUTUAL', serverCertificate: '/c', privateKey: '/k', caCertificates: '/ca', cipherSuites: ['AES128-SHA'], minProtocolVersion: 'TLSV1_2' },
      },
      { port: { number: 8443, name: 'mtls', protocol: 'TLS' }, hosts: ['*'], tls: { mode: 'SIMPLE', tlsCertificates: [{ serverCertificate: '/c', privateKey: '/k' }] } },
    ],
  }),
  doc('Sidecar', 'networking.istio.io', {
    workloadSelector: { labels: { app: 'ratings' } },
    ingress: [
      {
        port: { number: 9080, protocol: 'HTTPS', name: 'https' },
        defaultEndpoint: '127.0.0.1:8080',
        captureMode: 'DEFAULT',
        tls: { mode: 'SIMPLE', serverCertificate: '/c', privateKey: '/k' },
        connectionPool: { tcp: { maxConnections: 10, tcpKeepalive: { time: '10s', probes: 3 } }, http: { http2KeepAlive: { interval: '1s', timeout: '2s' } } },
      },
    ],
    egress: [
      { port: { number: 0, protocol: 'HTTP', name: 'uds' }, bind: 'unix:///a.sock', hosts: ['./a.example.com'] },
      { hosts: ['istio-system/*', '~/b.example.com'] },
    ],
    outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'proxy.example.com', subset: 'v1', port: { number: 3128 } } },
    inboundConnectionPool: { http: { maxRetries: 3, idleTimeout: '1s' } },
  }),
  doc('PeerAuthentication', 'security.istio.io', {
    selector: { matchLabels: { app: 'finance' } },
    mtls: { mode: 'STRICT' },
    portLevelMtls: { '8080': { mode: 'DISABLE' } },
  }),
  doc('AuthorizationPolicy', 'security.istio.io', {
    selector: { matchLabels: { app: 'httpbin' } },
    action: 'DENY',
    rules: [
      {
        from: [{ source: { principals: ['cluster.local/ns/a/sa/b'], ipBlocks: ['10.0.0.0/8'], trustDomains: ['td'] } }],
        to: [{ operation: { methods: ['GET'], paths: ['/a/{*}'], ports: ['80'], hosts: ['a.com'] } }],
        when: [{ key: 'request.auth.claims[iss]', values: ['x'] }, { key: 'source.ip', notValues: ['1.2.3.4'] }],
      },
      { from: [{ source: { serviceAccounts: ['ns/sa'] } }] },
    ],
  }),
  doc('AuthorizationPolicy', 'security.istio.io', {
    targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'gw' }],
    action: 'CUSTOM',
    provider: { name: 'ext' },
    rules: [{ to: [{ operation: { notPaths: ['/healthz'] } }] }],
  }),
  doc('RequestAuthentication', 'security.istio.io', {
    targetRef: { kind: 'Service', group: '', name: 'httpbin' },
    jwtRules: [
      {
        issuer: 'iss',
        jwksUri: 'https://example.com/jwks',
        audiences: ['a'],
        fromHeaders: [{ name: 'x-jwt', prefix: 'Bearer ' }],
        fromParams: ['token'],
        fromCookies: ['c'],
        outputPayloadToHeader: 'x-payload',
        outputClaimToHeaders: [{ header: 'x-sub', claim: 'sub' }],
        timeout: '5s',
        presence: 'OPTIONAL',
        spaceDelimitedClaims: ['scope'],
      },
      { issuer: 'other', jwks: '{"keys":[{"kty":"EC"}]}' },
    ],
  }),
];

const JUNK: readonly Json[] = [null, 0, -1, 1.5, 70000, '', 'x', '*', true, [], [null], [1, 'a', {}], {}, { a: null }];

/** Every path into the value, as key lists (the root itself excluded). */
function paths(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  const children: Array<[string | number, Json]> = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : value !== null && typeof value === 'object'
      ? Object.entries(value)
      : [];
  for (const [key, child] of children) {
    out.push([...prefix, key], ...paths(child, [...prefix, key]));
  }
  return out;
}

function replaced(value: Json, path: ReadonlyArray<string | number>, junk: Json): Json {
  if (path.length === 0) return junk;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaced(v, rest, junk) : v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === head ? replaced(v, rest, junk) : v]));
  }
  return value;
}

const kindOf = (object: { [key: string]: Json }): string => String(object['kind']);

describe('junk shapes for the gateway, sidecar and security validators', () => {
  it.each(VALID.map((o) => [kindOf(o), o] as const))('the %s every mutation starts from is valid', (_kind, object) => {
    expect(loadConfigText('t.json', JSON.stringify(object)).errors).toEqual([]);
  });

  it.each(VALID.map((o) => [kindOf(o), o] as const))('%s: junk at any path gives errors with a path, never an exception', (_kind, object) => {
    const spec = object['spec'] ?? null;
    let checked = 0;
    for (const path of [[], ...paths(spec)]) {
      for (const junk of JUNK) {
        const mutated = { ...object, spec: replaced(spec, path, junk) };
        const { errors } = loadConfigText('t.json', JSON.stringify(mutated));
        // The strict reading (unknown fields refused) walks the same junk through the schema's tracing proxies.
        const read = readObjects(JSON.parse(JSON.stringify(mutated)) as unknown, 't.json#1', 1);
        const strict = read.objects.flatMap((o) => validateObject(o, { unknownFields: 'reject' }));
        for (const error of [...errors, ...strict]) {
          expect(typeof error.message).toBe('string');
          expect(error.message.length).toBeGreaterThan(0);
          expect(error.path ?? '').toMatch(/^(spec|metadata)/);
        }
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  const header = (kind: string, group: string): string => `apiVersion: ${group}/v1\nkind: ${kind}\nmetadata: {name: x}\n`;
  const networking = (kind: string): string => header(kind, 'networking.istio.io');
  const security = (kind: string): string => header(kind, 'security.istio.io');

  it.each([
    [`${networking('Gateway')}spec: servers`, ['spec: must be an object']],
    [`${networking('Gateway')}spec: {servers: 3}`, ['spec.servers: must be a list', 'spec.servers: gateway must have at least one server']],
    [
      `${networking('Gateway')}spec: {servers: [null, 7, {hosts: a.com, port: [80], tls: yes, bind: 1}]}`,
      [
        'spec.servers[0]: must be an object',
        'spec.servers[1]: must be an object',
        'spec.servers[2].hosts: must be a list',
        'spec.servers[2].hosts: server config must contain at least one host',
        'spec.servers[2].bind: must be a string',
        'spec.servers[2].port: must be an object',
        'spec.servers[2].tls: must be an object',
      ],
    ],
    [`${networking('Sidecar')}spec: [egress]`, ['spec: must be an object']],
    [
      `${networking('Sidecar')}spec: {egress: {hosts: ["*/*"]}, ingress: [[]], workloadSelector: {labels: [a]}, outboundTrafficPolicy: ALLOW_ANY}`,
      [
        'spec.workloadSelector.labels: must be an object',
        'spec.ingress[0]: must be an object',
        'spec.egress: must be a list',
        'spec.outboundTrafficPolicy: must be an object',
      ],
    ],
    [`${security('PeerAuthentication')}spec: {mtls: STRICT, portLevelMtls: [8080], selector: {matchLabels: {app: 1}}}`, [
      'spec.selector.matchLabels.app: must be a string',
      'spec.mtls: must be an object',
      'spec.portLevelMtls: must be an object',
    ]],
    [`${security('AuthorizationPolicy')}spec: {action: 1, rules: {from: []}, selector: []}`, [
      'spec.action: must be a string',
      'spec.selector: must be an object',
      'spec.rules: must be a list',
    ]],
    [`${security('AuthorizationPolicy')}spec: {rules: [{from: {source: {}}, to: [[]], when: [{key: 5, values: x}]}]}`, [
      'spec.rules[0].from: must be a list',
      'spec.rules[0].to[0]: must be an object',
      'spec.rules[0].when[0].key: must be a string',
      'spec.rules[0].when[0].values: must be a list',
      'spec.rules[0].when[0].key: `key` must not be empty',
    ]],
    [`${security('RequestAuthentication')}spec: {jwtRules: [{issuer: [a], fromHeaders: [x-jwt], timeout: 5}], targetRef: x}`, [
      'spec.targetRef: must be an object',
      'spec.jwtRules[0].issuer: must be a string',
      'spec.jwtRules[0].issuer: issuer or jwksUri must be non-empty string',
      'spec.jwtRules[0].fromHeaders[0]: must be an object',
      'spec.jwtRules[0].timeout: must be a string',
    ]],
  ])('%s', (yaml, expected) => {
    expect(problems(yaml)).toEqual(expected);
  });
});

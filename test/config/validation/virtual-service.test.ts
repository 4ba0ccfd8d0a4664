import { describe, expect, it } from 'vitest';
import { formatConfigError } from '../../../src/config/config-error.js';
import { loadConfigText } from '../../../src/config/load-config-text.js';
import { problems } from './validate.js';

const vs = (spec: string, name = 'reviews'): string =>
  `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: ${name}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;

const split = (w1: unknown, w2: unknown): string => `hosts: [reviews]
http:
  - route:
      - destination: {host: reviews, subset: v1}
        weight: ${String(w1)}
      - destination: {host: reviews, subset: v2}
        weight: ${String(w2)}`;

describe('VirtualService validation', () => {
  it('accepts a weighted split that sums to 100', () => {
    expect(problems(vs(split(60, 40)))).toEqual([]);
  });

  it('rejects an invalid VirtualService alone while another VirtualService loads', () => {
    const loaded = loadConfigText('reviews.yaml', `${vs(split(60, 40), 'good')}---\n${vs(split(50, 150), 'bad')}`);
    expect(loaded.objects.map((o) => o.metadata.name)).toEqual(['good']);
    expect(loaded.errors.map(formatConfigError)).toContain(
      'reviews.yaml#2 VirtualService default/bad: spec.http[0].route[1].weight: must be between 0 and 100',
    );
  });

  it('accepts a VirtualService without hosts: Istio reads it as a delegate', () => {
    expect(problems(vs('hosts: []\nhttp: [{route: [{destination: {host: a}}]}]'))).toEqual([]);
  });

  it('needs a host on every route destination', () => {
    expect(problems(vs('hosts: [a]\nhttp: [{route: [{destination: {subset: v1}}]}]'))).toEqual([
      'spec.http[0].route[0].destination.host: destination host is required',
    ]);
  });

  it('requires split weights to total 100', () => {
    expect(problems(vs(split(60, 30)))).toEqual(['spec.http[0].route: total destination weight 90 != 100']);
  });

  it('requires integer weights', () => {
    expect(problems(vs(split(50.5, 49.5)))).toContain('spec.http[0].route[0].weight: must be an integer');
  });

  it('rejects a regex that RE2 cannot compile, and accepts RE2-only syntax', () => {
    const match = (re: string): string => `hosts: [a]\nhttp:\n  - match: [{uri: {regex: '${re}'}}]\n    route: [{destination: {host: a}}]`;
    expect(problems(vs(match('/api/(v1')))[0]).toMatch(/^spec\.http\[0\]\.match\[0\]\.uri\.regex: invalid regex/);
    expect(problems(vs(match('/(?=x)')))[0]).toMatch(/lookaround/);
    expect(problems(vs(match('(?i)/API/(?P<v>v[0-9]+)')))).toEqual([]);
  });

  it('checks header match regexes too', () => {
    const spec = `hosts: [a]\nhttp:\n  - match: [{headers: {x-user: {regex: '[a-'}}}]\n    route: [{destination: {host: a}}]`;
    expect(problems(vs(spec))[0]).toMatch(/^spec\.http\[0\]\.match\[0\]\.headers\.x-user\.regex: invalid regex/);
  });

  it.each([
    ['1.5s', []],
    ['100ms', []],
    ['1h2m', []],
    ['0s', ['spec.http[0].timeout: duration 0s must be at least 1ms']],
    ['-1s', ['spec.http[0].timeout: duration -1s must be at least 1ms']],
    ['soon', ['spec.http[0].timeout: "soon" is not a duration such as 1.5s or 100ms']],
    ['1.5ms', ['spec.http[0].timeout: duration 1.5ms: only millisecond precision is supported']],
  ])('timeout %s', (timeout, expected) => {
    expect(problems(vs(`hosts: [a]\nhttp: [{timeout: "${timeout}", route: [{destination: {host: a}}]}]`))).toEqual(expected);
  });

  it('rejects the * host for the mesh gateway but not for an ingress gateway', () => {
    const route = 'http: [{route: [{destination: {host: a}}]}]';
    expect(problems(vs(`hosts: ['*']\n${route}`))).toEqual(['spec.hosts[0]: wildcard host * is not allowed for virtual services bound to the mesh gateway']);
    expect(problems(vs(`hosts: ['*']\ngateways: [istio-system/ingress]\n${route}`))).toEqual([]);
  });

  it('needs a route, a redirect or a direct response on each http route, and only one of them', () => {
    expect(problems(vs('hosts: [a]\nhttp: [{name: empty}]'))).toEqual(['spec.http[0]: HTTP route, redirect or direct_response is required']);
    expect(problems(vs('hosts: [a]\nhttp: [{directResponse: {status: 503}}]'))).toEqual([]);
    expect(problems(vs('hosts: [a]\nhttp: [{redirect: {uri: /b}, fault: {abort: {httpStatus: 500}}, route: [{destination: {host: a}}]}]'))).toEqual([
      'spec.http[0]: HTTP route cannot contain both route and redirect',
      'spec.http[0]: HTTP route cannot contain both fault and redirect',
    ]);
    expect(problems(vs('hosts: [a]\nhttp: [{directResponse: {status: 503}, route: [{destination: {host: a}}]}]'))).toEqual([
      'spec.http[0]: HTTP route cannot contain both route and direct_response',
    ]);
  });

  it('rejects hosts that overlap, as Istio does (the same name, or a wildcard covering another)', () => {
    const route = 'http: [{route: [{destination: {host: a}}]}]';
    expect(problems(vs(`hosts: [a.example.com, "*.example.com", b.example.org]\n${route}`))).toEqual([
      'spec.hosts[0]: duplicate hosts in virtual service: a.example.com & *.example.com',
    ]);
    expect(problems(vs(`hosts: [reviews, reviews]\n${route}`))).toEqual(['spec.hosts[0]: duplicate hosts in virtual service: reviews & reviews']);
  });

  it('checks retries as Istio\'s ValidateHTTPRetry does', () => {
    const retries = (r: string): string => `hosts: [a]\nhttp: [{retries: ${r}, route: [{destination: {host: a}}]}]`;
    expect(problems(vs(retries('{attempts: 3, retryOn: "5xx,gateway-error,503,unavailable", perTryTimeout: 2s}')))).toEqual([]);
    expect(problems(vs(retries('{attempts: 3, retryOn: "5xx,sometimes,999"}')))).toEqual([
      'spec.http[0].retries.retryOn: "sometimes" is not a valid retryOn policy',
      'spec.http[0].retries.retryOn: "999" is not a valid retryOn policy',
    ]);
    expect(problems(vs(retries('{attempts: 0, perTryTimeout: 1s}')))).toEqual([
      'spec.http[0].retries.attempts: http retry policy configured when attempts are set to 0 (disabled)',
    ]);
    expect(problems(vs(retries('{attempts: 0}')))).toEqual([]);
  });

  it('checks string matches as Istio does: no empty prefix but on the URI, no empty or overlong regex, "*" in withoutHeaders means present', () => {
    const match = (m: string): string => `hosts: [a]\nhttp:\n  - match: [${m}]\n    route: [{destination: {host: a}}]`;
    expect(problems(vs(match('{uri: {prefix: ""}, withoutHeaders: {x-canary: {regex: "*"}}}')))).toEqual([]);
    expect(problems(vs(match('{headers: {x-user: {prefix: ""}}, authority: {regex: ""}}')))).toEqual([
      'spec.http[0].match[0].authority.regex: regex string match should not be empty',
      'spec.http[0].match[0].headers.x-user.prefix: prefix string match should not be empty',
    ]);
    expect(problems(vs(match(`{uri: {regex: "${'a'.repeat(1025)}"}}`)))).toEqual(['spec.http[0].match[0].uri.regex: regex is too large, max length allowed is 1024']);
  });

  it('needs destinations on tcp and tls routes', () => {
    expect(problems(vs('hosts: [a.com]\ntcp: [{match: [{port: 3306}]}]\ntls: [{match: [{sniHosts: [a.com]}], route: []}]'))).toEqual([
      'spec.tcp[0].route: TCP route is required',
      'spec.tls[0].route: TLS route is required',
    ]);
  });

  it('checks tcp route destinations the same way', () => {
    expect(problems(vs('hosts: [a]\ntcp: [{route: [{destination: {host: a}, weight: 10}, {destination: {host: b}, weight: 10}]}]'))).toEqual([
      'spec.tcp[0].route: total destination weight 20 != 100',
    ]);
  });
});

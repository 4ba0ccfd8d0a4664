/** What a matched route does: forward with its policies, redirect, answer directly; faults and CORS only with their filters. */
import { describe, expect, it } from 'vitest';
import { chain, edsCluster, hcmFilter, listener, resources, routeConfig, sidecarListeners, tcpFilter, virtualHost } from './hand-written-resources.js';
import { simulate } from './simulate.js';
import type { NamedResource } from './xds-view.js';

const FAULT = 'envoy.filters.http.fault';
const CORS = 'envoy.filters.http.cors';

function withRoutes(routes: readonly Record<string, unknown>[], httpFilters: readonly string[] = [FAULT, CORS, 'envoy.filters.http.router'], clusters = ['v1', 'v2', 'v3']) {
  const listeners: NamedResource[] = sidecarListeners([]).concat(
    listener('0.0.0.0_9080', '0.0.0.0', 9080, { bindToPort: { value: false }, filterChains: [chain('', [hcmFilter('9080', httpFilters)])] }),
  );
  return resources({ listeners, routes: [routeConfig('9080', [virtualHost('reviews', ['*'], routes)])], clusters: clusters.map((c) => edsCluster(c)) });
}
const request = { protocol: 'http', address: '10.96.0.9', port: 9080, authority: 'reviews:9080', path: '/reviews/1' } as const;

describe('forwarding actions', () => {
  it('reports weighted clusters with their weights', () => {
    const r = withRoutes([
      { match: { prefix: '/' }, route: { weightedClusters: { clusters: [{ name: 'v1', weight: { value: 60 } }, { name: 'v2', weight: { value: 30 } }, { name: 'v3', weight: { value: 10 } }] } } },
    ]);
    const action = simulate(r, request).http?.action;
    expect(action).toMatchObject({ kind: 'forward', weighted: true, targets: [{ cluster: 'v1', weight: 60 }, { cluster: 'v2', weight: 30 }, { cluster: 'v3', weight: 10 }] });
    expect(Object.keys(simulate(r, request).clusters).sort()).toEqual(['v1', 'v2', 'v3']);
  });

  it("uses Envoy's 15s default timeout when unset, and 0 as no timeout", () => {
    expect(simulate(withRoutes([{ match: { prefix: '/' }, route: { cluster: 'v1' } }]), request).http?.action).toMatchObject({ timeoutMs: 15_000 });
    expect(simulate(withRoutes([{ match: { prefix: '/' }, route: { cluster: 'v1', timeout: { seconds: 0 } } }]), request).http?.action).toMatchObject({ timeoutMs: 0 });
    expect(simulate(withRoutes([{ match: { prefix: '/' }, route: { cluster: 'v1', timeout: { seconds: 0, nanos: 500_000_000 } } }]), request).http?.action).toMatchObject({ timeoutMs: 500 });
  });

  it('reports retries (one retry when num_retries is unset), mirrors with their percentage, hashing and rewrites', () => {
    const r = withRoutes([
      {
        match: { prefix: '/' },
        route: {
          cluster: 'v1',
          retryPolicy: { retryOn: 'connect-failure,refused-stream,503', perTryTimeout: { seconds: 2 }, retryHostPredicate: [{ name: 'envoy.retry_host_predicates.previous_hosts' }] },
          requestMirrorPolicies: [{ cluster: 'v2', runtimeFraction: { defaultValue: { numerator: 50 } } }, { cluster: 'v3' }],
          hashPolicy: [{ header: { headerName: 'x-user' } }],
          prefixRewrite: '/v2/',
          hostRewriteLiteral: 'reviews.internal',
        },
      },
    ]);
    const action = simulate(r, request).http?.action;
    expect(action).toMatchObject({
      kind: 'forward',
      retryPolicy: { retryOn: 'connect-failure,refused-stream,503', numRetries: 1, perTryTimeoutMs: 2000, retryHostPredicates: ['envoy.retry_host_predicates.previous_hosts'] },
      mirrors: [{ cluster: 'v2', percent: 50 }, { cluster: 'v3', percent: 100 }],
      hashPolicy: [{ header: { headerName: 'x-user' } }],
      prefixRewrite: '/v2/',
      hostRewrite: 'reviews.internal',
    });
    expect(Object.keys(simulate(r, request).clusters).sort()).toEqual(['v1', 'v2', 'v3']);
  });

  it("falls back to the virtual host's retry policy", () => {
    const r = withRoutes([{ match: { prefix: '/' }, route: { cluster: 'v1' } }]);
    const vh = (r.routes[0]!.resource['virtualHosts'] as Record<string, unknown>[])[0]!;
    vh['retryPolicy'] = { retryOn: '5xx', numRetries: { value: 3 } };
    expect(simulate(r, request).http?.action).toMatchObject({ retryPolicy: { retryOn: '5xx', numRetries: 3 } });
  });
});

describe('redirects and direct responses', () => {
  it('builds the Location of a redirect from the request and the action', () => {
    const r = withRoutes([
      { match: { prefix: '/old' }, redirect: { pathRedirect: '/new', responseCode: 'PERMANENT_REDIRECT' } },
      { match: { prefix: '/' }, redirect: { httpsRedirect: true, hostRedirect: 'secure.example.com' } },
    ]);
    expect(simulate(r, { ...request, path: '/old?x=1' }).http?.action).toEqual({ kind: 'redirect', status: 308, location: 'http://reviews:9080/new?x=1' });
    expect(simulate(r, request).http?.action).toEqual({ kind: 'redirect', status: 301, location: 'https://secure.example.com/reviews/1' });
  });

  it('answers directly with the status and body', () => {
    const r = withRoutes([{ match: { prefix: '/' }, directResponse: { status: 418, body: { inlineString: 'teapot' } } }]);
    expect(simulate(r, request).http?.action).toEqual({ kind: 'directResponse', status: 418, body: 'teapot' });
    expect(simulate(r, request).clusters).toEqual({});
  });
});

describe('per-filter configs and headers', () => {
  const faulty = {
    match: { prefix: '/' },
    route: { cluster: 'v1' },
    typedPerFilterConfig: {
      [FAULT]: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
        delay: { fixedDelay: { seconds: 7 }, percentage: { numerator: 100 } },
        abort: { httpStatus: 500, percentage: { numerator: 1000, denominator: 'TEN_THOUSAND' } },
      },
      [CORS]: { '@type': 'type.googleapis.com/envoy.config.route.v3.CorsPolicy', allowMethods: 'GET' },
    },
    requestHeadersToAdd: [{ header: { key: 'x-route', value: 'r' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
    responseHeadersToRemove: ['server'],
  };

  it('reports the fault (delay and abort percentages) and CORS when their filters are installed', () => {
    const http = simulate(withRoutes([faulty]), request).http;
    expect(http?.fault).toEqual({ delay: { fixedDelayMs: 7000, percent: 100 }, abort: { httpStatus: 500, grpcStatus: undefined, percent: 10 } });
    expect(http?.cors).toMatchObject({ allowMethods: 'GET' });
    expect(http?.ignoredFilterConfigs).toEqual([]);
    expect(http?.requestHeaders.add).toEqual([{ level: 'route', key: 'x-route', value: 'r', appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' }]);
    expect(http?.responseHeaders.remove).toEqual(['server']);
  });

  it('reports no fault and no CORS when the connection manager lacks those filters', () => {
    const http = simulate(withRoutes([faulty], ['envoy.filters.http.router']), request).http;
    expect(http?.fault).toBeUndefined();
    expect(http?.cors).toBeUndefined();
    expect(http?.ignoredFilterConfigs).toEqual([CORS, FAULT]);
  });
});

describe('protocol mismatches and missing resources', () => {
  it('refuses TCP bytes to an HTTP chain and plain text to a TLS chain', () => {
    const r = withRoutes([{ match: { prefix: '/' }, route: { cluster: 'v1' } }]);
    expect(() => simulate(r, { protocol: 'tcp', address: '10.96.0.9', port: 9080 })).toThrow(/speaks HTTP, but it would receive tcp/);
    const tlsChain = resources({
      listeners: [listener('0.0.0.0_443', '0.0.0.0', 443, { filterChains: [{ ...chain('tls', [tcpFilter('v1')]), transportSocket: { name: 'envoy.transport_sockets.tls' } }] })],
      clusters: [edsCluster('v1')],
    });
    expect(() => simulate(tlsChain, { protocol: 'tcp', mode: 'gateway', address: '1.1.1.1', port: 443 })).toThrow(/expects TLS, but the request is plain tcp/);
  });

  it('names the missing route configuration and the missing cluster', () => {
    const noRds = resources({ ...withRoutes([]), routes: [] });
    expect(() => simulate(noRds, request)).toThrow(/uses RDS "9080", which RDS does not have/);
    const noCluster = withRoutes([{ match: { prefix: '/' }, route: { cluster: 'v9' } }]);
    expect(() => simulate(noCluster, request)).toThrow(/targets cluster "v9", which CDS does not have/);
  });
});

describe('downstream TLS', () => {
  it('reports whether a TLS chain requires a client certificate, and where its certificate comes from', () => {
    const mtlsChain = {
      ...chain('inbound-mtls', [tcpFilter('v1')], { transportProtocol: 'tls' }),
      transportSocket: {
        name: 'envoy.transport_sockets.tls',
        typedConfig: {
          '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
          requireClientCertificate: { value: true },
          commonTlsContext: { tlsCertificateSdsSecretConfigs: [{ name: 'default' }], alpnProtocols: ['h2', 'http/1.1'] },
        },
      },
    };
    const r = resources({
      listeners: [listener('virtualInbound', '0.0.0.0', 15006, { listenerFilters: [{ name: 'envoy.filters.listener.tls_inspector' }], filterChains: [mtlsChain] })],
      clusters: [edsCluster('v1')],
    });
    const result = simulate(r, { protocol: 'tls', mode: 'inbound', address: '10.244.1.10', port: 80, sni: 'outbound_.80_._.helloworld.helloworld.svc.cluster.local' });
    expect(result.downstreamTls).toEqual({ requireClientCertificate: true, certificateSecrets: ['default'], alpnProtocols: ['h2', 'http/1.1'] });
    expect(() => simulate(r, { protocol: 'tcp', mode: 'inbound', address: '10.244.1.10', port: 80 })).toThrow(/^filter chain: listener virtualInbound: no chain matches/);
  });
});

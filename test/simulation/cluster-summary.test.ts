/** The chosen cluster as Envoy uses it: policy, limits, TLS and endpoints. */
import { describe, expect, it } from 'vitest';
import { assignment, chain, listener, resources, tcpFilter } from './hand-written-resources.js';
import { simulate } from './simulate.js';
import type { NamedResource } from './xds-view.js';

function tcpTo(cluster: NamedResource, endpoints: readonly NamedResource[] = []) {
  return resources({
    listeners: [listener('0.0.0.0_5000', '0.0.0.0', 5000, { filterChains: [chain('', [tcpFilter(cluster.name)])] })],
    clusters: [cluster],
    endpoints,
  });
}
const connect = { protocol: 'tcp', mode: 'gateway', address: '10.0.0.1', port: 5000 } as const;
const name = 'outbound|5000||helloworld.helloworld.svc.cluster.local';

describe('cluster summary', () => {
  it("defaults lbPolicy to Envoy's ROUND_ROBIN and lists EDS endpoints by the EDS service name", () => {
    const cluster: NamedResource = { name, resource: { name, type: 'EDS', edsClusterConfig: { edsConfig: { ads: {} }, serviceName: 'eds-name' } } };
    const summary = simulate(tcpTo(cluster, [assignment('eds-name', ['10.244.0.7:5000', '10.244.0.8:5000'])]), connect).clusters[name];
    expect(summary).toMatchObject({ type: 'EDS', lbPolicy: 'ROUND_ROBIN', tls: 'none' });
    expect(summary?.endpoints.map((e) => e.address)).toEqual(['10.244.0.7:5000', '10.244.0.8:5000']);
  });

  it('reads circuit breakers, outlier detection, the per-connection limit and the ring hash config', () => {
    const cluster: NamedResource = {
      name,
      resource: {
        name,
        type: 'EDS',
        lbPolicy: 'RING_HASH',
        ringHashLbConfig: { minimumRingSize: { value: 1024 } },
        circuitBreakers: { thresholds: [{ maxConnections: { value: 1 }, maxPendingRequests: { value: 1 }, maxRequests: { value: 100 }, maxRetries: { value: 3 } }] },
        outlierDetection: { consecutive_5xx: { value: 2 }, interval: { seconds: 10 }, baseEjectionTime: { seconds: 180 }, maxEjectionPercent: { value: 100 } },
        typedExtensionProtocolOptions: {
          'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
            '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
            commonHttpProtocolOptions: { maxRequestsPerConnection: { value: 1 } },
          },
        },
      },
    };
    expect(simulate(tcpTo(cluster), connect).clusters[name]).toMatchObject({
      lbPolicy: 'RING_HASH',
      lbConfig: { minimumRingSize: { value: 1024 } },
      minimumRingSize: 1024,
      circuitBreakers: { maxConnections: 1, maxPendingRequests: 1, maxRequests: 100, maxRetries: 3 },
      outlierDetection: { consecutive5xx: 2, intervalMs: 10_000, baseEjectionTimeMs: 180_000, maxEjectionPercent: 100 },
      maxRequestsPerConnection: 1,
    });
  });

  it('tells Istio mutual TLS (the workload certificate), plain TLS, and auto mTLS by transport socket match', () => {
    const tlsSocket = (secret: string) => ({
      name: 'envoy.transport_sockets.tls',
      typedConfig: {
        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
        commonTlsContext: { tlsCertificateSdsSecretConfigs: [{ name: secret }] },
        sni: 'outbound_.5000_._.helloworld.helloworld.svc.cluster.local',
      },
    });
    const make = (fields: Record<string, unknown>): NamedResource => ({ name, resource: { name, type: 'EDS', ...fields } });
    expect(simulate(tcpTo(make({ transportSocket: tlsSocket('default') })), connect).clusters[name]).toMatchObject({
      tls: 'istio-mutual',
      sni: 'outbound_.5000_._.helloworld.helloworld.svc.cluster.local',
    });
    expect(simulate(tcpTo(make({ transportSocket: tlsSocket('kubernetes://my-cert') })), connect).clusters[name]?.tls).toBe('tls');
    const auto = make({
      transportSocketMatches: [
        { name: 'tlsMode-istio', match: { tlsMode: 'istio' }, transportSocket: tlsSocket('default') },
        { name: 'tlsMode-disabled', match: {}, transportSocket: { name: 'envoy.transport_sockets.raw_buffer' } },
      ],
    });
    expect(simulate(tcpTo(auto), connect).clusters[name]?.tls).toBe('auto-mtls');
  });

  it("picks each endpoint's transport socket as Envoy does: the first match its envoy.transport_socket_match metadata satisfies", () => {
    const upstreamTls = { name: 'envoy.transport_sockets.tls', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', commonTlsContext: { tlsCertificateSdsSecretConfigs: [{ name: 'default' }] } } };
    const cluster: NamedResource = {
      name,
      resource: {
        name,
        type: 'EDS',
        edsClusterConfig: { serviceName: name },
        // The message form of google.protobuf.Struct (what protobufjs decodes) and Envoy's JSON form both count.
        transportSocketMatches: [
          { name: 'tlsMode-istio', match: { fields: { tlsMode: { stringValue: 'istio' } } }, transportSocket: upstreamTls },
          { name: 'tlsMode-disabled', match: {}, transportSocket: { name: 'envoy.transport_sockets.raw_buffer' } },
        ],
      },
    };
    const eds = assignment(name, ['10.244.0.7:5000', '10.244.0.8:5000', '10.244.0.9:5000']);
    const lbEndpoints = ((eds.resource['endpoints'] as Record<string, unknown>[])[0]!['lbEndpoints'] as Record<string, unknown>[]);
    lbEndpoints[0]!['metadata'] = { filterMetadata: { 'envoy.transport_socket_match': { fields: { tlsMode: { stringValue: 'istio' } } } } };
    lbEndpoints[1]!['metadata'] = { filterMetadata: { 'envoy.transport_socket_match': { tlsMode: 'istio' } } };
    const summary = simulate(tcpTo(cluster, [eds]), connect).clusters[name];
    expect(summary?.endpoints.map((e) => [e.address, e.tls, e.transportSocketMatch])).toEqual([
      ['10.244.0.7:5000', 'istio-mutual', 'tlsMode-istio'],
      ['10.244.0.8:5000', 'istio-mutual', 'tlsMode-istio'],
      ['10.244.0.9:5000', 'none', 'tlsMode-disabled'],
    ]);
  });
});

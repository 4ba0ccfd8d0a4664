/**
 * The sidecar's inbound capture listener, as Istio builds it in the
 * iptables REDIRECT model (listener_inbound.go): virtualInbound on 15006,
 * one chain per workload port of the proxy's own services, passthrough
 * chains for the rest. A mesh-wide PeerAuthentication DISABLE keeps these
 * chains plaintext, one per port; inbound-mtls.test.ts covers the chains
 * each mutual TLS mode adds.
 */
import { describe, expect, it } from 'vitest';
import { ldsGenerator } from '../../../../src/xds/gen/lds/lds-generator.js';
import { ListenerType } from '../../../../src/xds/proto/type-urls.js';
import { expectValidOnTheWire } from '../gateway/helpers/gateway-mesh.js';
import { generateFor, namesOf, resourceNamed } from '../helpers/generate.js';
import { endpoint, fqdn, kubeService, peerAuthentication, port, proxy, sidecarResource, snapshot } from '../helpers/mesh-builder.js';
import { chainNamed, chains, typedConfig, workloadProxy, type Json } from './sidecar-test-helpers.js';

// The workload listens on 9081 for service port 9080, through a named targetPort.
const http = { ...port(9080, 'HTTP', 'http'), targetPort: 'web' };
const grpc = port(7070, 'GRPC', 'grpc');
const mysql = port(3306, 'MYSQL', 'mysql');
const reviews = kubeService('reviews', 'default', [http, grpc, mysql], { clusterIP: '10.96.0.12' });
const plaintext = [peerAuthentication('default', 'istio-system', { mtls: { mode: 'DISABLE' } })];
// The named port resolves through the proxy's own endpoint.
const snap = snapshot({
  peerAuthentications: plaintext,
  services: [reviews],
  endpoints: { [reviews.hostname]: [endpoint('10.1.0.1', http, { port: 9081 }), endpoint('10.1.0.1', grpc), endpoint('10.1.0.1', mysql)] },
});

function virtualInbound(listeners: ReturnType<typeof generateFor>): Json {
  return resourceNamed(listeners, 'virtualInbound');
}

describe('virtualInbound', () => {
  const listeners = generateFor(ldsGenerator, snap, workloadProxy('reviews'));
  const listener = virtualInbound(listeners);

  it('listens on 0.0.0.0:15006 for redirected connections, restoring their original destination', () => {
    expect(listener['address']).toEqual({ socketAddress: { address: '0.0.0.0', portValue: 15006 } });
    expect(listener['trafficDirection']).toBe('INBOUND');
    expect(listener).not.toHaveProperty('useOriginalDst');
    expect(listener).not.toHaveProperty('transparent');
    const filters = listener['listenerFilters'] as Json[];
    expect(filters[0]).toEqual({
      name: 'envoy.filters.listener.original_dst',
      typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst' },
    });
  });

  it('sniffs HTTP only where the passthrough chain needs it: not on 15006 nor on declared ports (buildHTTPInspector)', () => {
    const inspector = (listener['listenerFilters'] as Json[])[1];
    expect(inspector).toEqual({
      name: 'envoy.filters.listener.http_inspector',
      typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector' },
      filterDisabled: {
        orMatch: {
          rules: [3306, 7070, 9081, 15006].map((p) => ({ destinationPortRange: { start: p, end: p + 1 } })),
        },
      },
    });
    // No chain matches on TLS while mTLS is disabled, so there is no TLS inspector.
    expect((listener['listenerFilters'] as Json[]).map((f) => f['name'])).toEqual([
      'envoy.filters.listener.original_dst',
      'envoy.filters.listener.http_inspector',
    ]);
  });

  it('drops connections addressed to 15006 itself (virtualInbound-blackhole)', () => {
    const blackhole = chainNamed(listener, 'virtualInbound-blackhole');
    expect(blackhole['filterChainMatch']).toEqual({ destinationPort: { value: 15006 } });
    expect(typedConfig(blackhole)).toMatchObject({ cluster: 'BlackHoleCluster' });
  });

  it('passes other ports through to InboundPassthroughCluster, HTTP by ALPN and TCP otherwise', () => {
    const httpPassthrough = chainNamed(listener, 'virtualInbound-catchall-http');
    expect(httpPassthrough['filterChainMatch']).toEqual({ applicationProtocols: ['http/1.1', 'h2c'], transportProtocol: 'raw_buffer' });
    expect(typedConfig(httpPassthrough)).toMatchObject({
      statPrefix: 'InboundPassthroughCluster',
      routeConfig: { name: 'InboundPassthroughCluster', virtualHosts: [{ name: 'inbound|http|0', routes: [{ route: { cluster: 'InboundPassthroughCluster' } }] }] },
    });
    const tcpPassthrough = chainNamed(listener, 'virtualInbound');
    expect(tcpPassthrough['filterChainMatch']).toEqual({ transportProtocol: 'raw_buffer' });
    expect(typedConfig(tcpPassthrough)).toMatchObject({ cluster: 'InboundPassthroughCluster', statPrefix: 'InboundPassthroughCluster' });
  });

  it('matches an HTTP port by the port the workload listens on, with routes inline to inbound|<port>||', () => {
    const chain = chainNamed(listener, '0.0.0.0_9081');
    expect(chain['filterChainMatch']).toEqual({ destinationPort: { value: 9081 }, transportProtocol: 'raw_buffer' });
    const hcm = typedConfig(chain);
    expect(hcm).not.toHaveProperty('rds');
    expect(hcm['statPrefix']).toBe('inbound_0.0.0.0_9081');
    expect((hcm['httpFilters'] as Json[]).at(-1)?.['name']).toBe('envoy.filters.http.router');
    // Istio's buildSidecarInboundHTTPRouteConfig and BuildDefaultHTTPInboundRoute: the virtual host and trace
    // operation name the service port; no timeout; retries only requests reset before reaching the app.
    expect(hcm['routeConfig']).toEqual({
      name: 'inbound|9081||',
      virtualHosts: [
        {
          name: 'inbound|http|9080',
          domains: ['*'],
          routes: [
            {
              name: 'default',
              match: { prefix: '/' },
              decorator: { operation: `${fqdn('reviews')}:9080/*` },
              route: {
                cluster: 'inbound|9081||',
                timeout: { seconds: 0 },
                maxStreamDuration: { maxStreamDuration: { seconds: 0 }, grpcTimeoutHeaderMax: { seconds: 0 } },
                retryPolicy: { retryOn: 'reset-before-request', numRetries: { value: 2 } },
              },
            },
          ],
        },
      ],
      validateClusters: { value: false },
    });
  });

  it('accepts HTTP/2 on gRPC ports and never retries gRPC inbound', () => {
    const hcm = typedConfig(chainNamed(listener, '0.0.0.0_7070'));
    expect(hcm['http2ProtocolOptions']).toEqual({});
    const route = ((hcm['routeConfig'] as Json)['virtualHosts'] as Json[])[0]?.['routes'] as Json[];
    expect(route[0]?.['route']).not.toHaveProperty('retryPolicy');
  });

  it('proxies TCP-family ports (mysql here) to their inbound cluster', () => {
    const chain = chainNamed(listener, '0.0.0.0_3306');
    expect(chain['filterChainMatch']).toEqual({ destinationPort: { value: 3306 }, transportProtocol: 'raw_buffer' });
    expect(typedConfig(chain)).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
      statPrefix: 'inbound|3306||',
      cluster: 'inbound|3306||',
    });
  });

  it('passes Envoy validation and the proto round trip', () => {
    expectValidOnTheWire(ListenerType, listeners);
  });
});

describe('inbound ports', () => {
  it("resolves a named targetPort from the pod's container ports (ISTIO_META_POD_PORTS) before its endpoint", () => {
    const podPorts = JSON.stringify([{ name: 'web', containerPort: 9090, protocol: 'TCP' }]);
    const listener = virtualInbound(generateFor(ldsGenerator, snap, workloadProxy('reviews', 'default', { metadata: { POD_PORTS: podPorts } })));
    expect(chains(listener).map((c) => c['name'])).toContain('0.0.0.0_9090');
    expect(chains(listener).map((c) => c['name'])).not.toContain('0.0.0.0_9081');
  });

  it('a proxy serving no service still gets virtualInbound with only the blackhole and passthrough chains', () => {
    const listener = virtualInbound(generateFor(ldsGenerator, snap, workloadProxy('ratings')));
    expect(chains(listener).map((c) => c['name'])).toEqual(['virtualInbound-blackhole', 'virtualInbound-catchall-http', 'virtualInbound']);
  });

  it("skips ports that collide with the proxy's own listeners (conflictWithReservedListener)", () => {
    const clash = kubeService('clash', 'default', [port(15021, 'HTTP', 'http-status'), port(15006, 'TCP', 'tcp'), port(8080, 'HTTP', 'http')]);
    const listener = virtualInbound(generateFor(ldsGenerator, snapshot({ services: [clash], peerAuthentications: plaintext }), workloadProxy('clash')));
    expect(chains(listener).map((c) => c['name'])).toContain('0.0.0.0_8080');
    expect(chains(listener).map((c) => c['name'])).not.toContain('0.0.0.0_15021');
    expect(chains(listener).filter((c) => (c['filterChainMatch'] as Json)['destinationPort'] !== undefined)).toHaveLength(2);
  });

  it('marks the capture listeners transparent under TPROXY', () => {
    const listeners = generateFor(ldsGenerator, snap, workloadProxy('reviews', 'default', { interceptionMode: 'TPROXY' }));
    expect(virtualInbound(listeners)['transparent']).toEqual({ value: true });
    expect(resourceNamed(listeners, 'virtualOutbound')['transparent']).toEqual({ value: true });
  });

  it('without interception (NONE): no capture listeners, no inbound chains from services, outbound listeners bound on localhost', () => {
    const listeners = generateFor(ldsGenerator, snap, workloadProxy('reviews', 'default', { interceptionMode: 'NONE' }));
    // Istio's buildSidecarOutboundListeners with proxyNoneMode: bindToPort on actualLocalHosts.
    expect(namesOf(listeners)).toEqual(['127.0.0.1_7070', '127.0.0.1_9080', '127.0.0.1_3306']);
    expect(resourceNamed(listeners, '127.0.0.1_9080')).not.toHaveProperty('bindToPort');
    expect(resourceNamed(listeners, '127.0.0.1_3306')['address']).toEqual({ socketAddress: { address: '127.0.0.1', portValue: 3306 } });
    expectValidOnTheWire(ListenerType, listeners);
  });

  it('keys on the inbound ports: proxies of the same workload share a key, another workload does not', () => {
    const key = (p: ReturnType<typeof proxy>): unknown => ldsGenerator.keyOf(p, snap);
    expect(key(workloadProxy('reviews'))).toEqual(key({ ...workloadProxy('reviews'), id: 'sidecar~10.1.0.1~pod-2.default~default.svc.cluster.local', podName: 'pod-2' }));
    expect(key(workloadProxy('reviews'))).not.toEqual(key(workloadProxy('ratings')));
    expect(key(workloadProxy('reviews'))).not.toEqual(key(workloadProxy('reviews', 'default', { interceptionMode: 'TPROXY' })));
  });
});

describe('Sidecar ingress listeners', () => {
  const sidecar = sidecarResource('reviews', 'default', {
    workloadSelector: { matchLabels: { app: 'reviews' } },
    ingress: [
      { port: { number: 8443, protocol: 'HTTP', name: 'web' }, defaultEndpoint: '127.0.0.1:8080' },
      { port: { number: 9000, protocol: 'TCP', name: 'admin' }, defaultEndpoint: 'unix:///var/run/admin.sock', captureMode: 'NONE', bind: '10.1.0.1' },
    ],
  });
  const withSidecar = snapshot({ services: [reviews], endpoints: {}, sidecars: [sidecar], peerAuthentications: plaintext });
  const listeners = generateFor(ldsGenerator, withSidecar, workloadProxy('reviews'));

  it("replace the chains derived from the workload's services", () => {
    const ported = chains(virtualInbound(listeners)).filter((c) => (c['filterChainMatch'] as Json)['destinationPort'] !== undefined);
    expect(ported.map((c) => c['name'])).toEqual(['virtualInbound-blackhole', '0.0.0.0_8443']);
  });

  it('name the virtual host and trace operation after the Sidecar (Istio\'s synthetic "<name>.<namespace>" host)', () => {
    const route = (typedConfig(chainNamed(virtualInbound(listeners), '0.0.0.0_8443'))['routeConfig'] as Json)['virtualHosts'] as Json[];
    expect(route[0]).toMatchObject({ name: 'inbound|http|8443', routes: [{ decorator: { operation: 'reviews.default:8443/*' }, route: { cluster: 'inbound|8443||' } }] });
  });

  it('with captureMode NONE get a listener of their own that binds the port', () => {
    const own = resourceNamed(listeners, '10.1.0.1_9000');
    expect(own['address']).toEqual({ socketAddress: { address: '10.1.0.1', portValue: 9000 } });
    expect(own).not.toHaveProperty('bindToPort');
    expect(own).not.toHaveProperty('listenerFilters');
    expect(typedConfig(chains(own)[0] as Json)).toMatchObject({ cluster: 'inbound|9000||' });
  });

  it('pass Envoy validation and the proto round trip', () => {
    expectValidOnTheWire(ListenerType, listeners);
  });
});

import { describe, expect, it } from 'vitest';
import { ldsGenerator } from '../../../../src/xds/gen/lds/lds-generator.js';
import { generateFor, namesOf, resourceNamed } from '../helpers/generate.js';
import { fqdn, kubeService, port, proxy, snapshot } from '../helpers/mesh-builder.js';

const reviews = kubeService('reviews', 'default', [port(9080, 'HTTP', 'http')], { clusterIP: '10.96.0.12' });
const echo = kubeService('echo', 'echo', [port(7070, 'GRPC', 'grpc'), port(8080, 'HTTP2', 'h2')], { clusterIP: '10.96.1.5' });
const mongo = kubeService('mongodb', 'default', [port(27017, 'TCP', 'tcp')], { clusterIP: '10.96.0.14' });
const headlessDb = kubeService('db', 'default', [port(5432, 'TCP', 'tcp')], { clusterIP: 'None' });
const snap = snapshot({ services: [reviews, echo, mongo, headlessDb] });

type Filter = { name: string; typedConfig: Record<string, unknown> };
function onlyFilter(listener: Record<string, unknown>): Filter {
  const chains = listener['filterChains'] as { filters: Filter[] }[];
  expect(chains).toHaveLength(1);
  expect(chains[0]?.filters).toHaveLength(1);
  return chains[0]?.filters[0] as Filter;
}

describe('LDS for sidecars', () => {
  const listeners = generateFor(ldsGenerator, snap, proxy('sidecar'));

  // Istio's buildOutboundCatchAllNetworkFilterChains: the blackhole chain for 15001 itself, then the catch-all.
  function catchAllFilter(virtual: Record<string, unknown>): Filter {
    const chains = virtual['filterChains'] as { name: string; filterChainMatch?: unknown; filters: Filter[] }[];
    expect(chains.map((c) => c.name)).toEqual(['virtualOutbound-blackhole', 'virtualOutbound-catchall-tcp']);
    expect(chains[0]?.filterChainMatch).toEqual({ destinationPort: { value: 15001 } });
    expect(chains[0]?.filters[0]?.typedConfig).toMatchObject({ cluster: 'BlackHoleCluster' });
    expect(chains[1]).not.toHaveProperty('filterChainMatch');
    return chains[1]?.filters[0] as Filter;
  }

  it('captures outbound traffic on 15001 and passes unknown destinations through under ALLOW_ANY', () => {
    const virtual = resourceNamed(listeners, 'virtualOutbound');
    expect(virtual['address']).toEqual({ socketAddress: { address: '0.0.0.0', portValue: 15001 } });
    expect(virtual['useOriginalDst']).toEqual({ value: true });
    expect(catchAllFilter(virtual).typedConfig).toMatchObject({ cluster: 'PassthroughCluster' });
  });

  it('black-holes unknown destinations under REGISTRY_ONLY', () => {
    const strict = snapshot({ services: [reviews], mesh: { outboundTrafficPolicy: 'REGISTRY_ONLY' } });
    const virtual = resourceNamed(generateFor(ldsGenerator, strict, proxy('sidecar')), 'virtualOutbound');
    expect(catchAllFilter(virtual).typedConfig).toMatchObject({ cluster: 'BlackHoleCluster' });
  });

  it('has one non-binding HTTP listener per HTTP, HTTP2 and GRPC port, routed by RDS config "<port>"', () => {
    for (const p of [7070, 8080, 9080]) {
      const listener = resourceNamed(listeners, `0.0.0.0_${p}`);
      expect(listener['bindToPort']).toEqual({ value: false });
      const filter = onlyFilter(listener);
      expect(filter.name).toBe('envoy.filters.network.http_connection_manager');
      expect(filter.typedConfig).toMatchObject({
        statPrefix: `outbound_0.0.0.0_${p}`,
        rds: { routeConfigName: String(p), configSource: { ads: {}, resourceApiVersion: 'V3' } },
        // Istio's sidecar order: fault and CORS (idle until a route configures them), router last.
        httpFilters: [{ name: 'envoy.filters.http.fault' }, { name: 'envoy.filters.http.cors' }, { name: 'envoy.filters.http.router' }],
      });
    }
  });

  it('on 0.0.0.0 takes only what the HTTP inspector recognises as HTTP; other traffic falls through (Istio: HTTP over a TCP port)', () => {
    const listener = resourceNamed(listeners, '0.0.0.0_9080');
    const [chain] = listener['filterChains'] as { filterChainMatch: unknown }[];
    expect(chain?.filterChainMatch).toEqual({ applicationProtocols: ['http/1.1', 'h2c'], transportProtocol: 'raw_buffer' });
    expect(listener['listenerFilters']).toEqual([
      { name: 'envoy.filters.listener.http_inspector', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector' } },
    ]);
    expect(listener['defaultFilterChain']).toEqual({
      filterChainMatch: {},
      name: 'PassthroughFilterChain',
      filters: [{ name: 'envoy.filters.network.tcp_proxy', typedConfig: expect.objectContaining({ cluster: 'PassthroughCluster' }) }],
    });
  });

  it('proxies TCP ports by VIP straight to the cluster, skipping services without one', () => {
    const tcp = resourceNamed(listeners, '10.96.0.14_27017');
    expect(tcp).not.toHaveProperty('defaultFilterChain');
    const filter = onlyFilter(tcp);
    expect(filter.typedConfig).toMatchObject({ cluster: `outbound|27017||${fqdn('mongodb')}` });
    expect(namesOf(listeners).some((n) => n.endsWith('_5432'))).toBe(false);
  });

  it("builds no HTTP listener on the sidecar's own capture ports", () => {
    const clash = kubeService('clash', 'default', [port(15001, 'HTTP', 'http'), port(15006, 'HTTP', 'http2')]);
    const names = namesOf(generateFor(ldsGenerator, snapshot({ services: [clash] }), proxy('sidecar')));
    expect(names).toEqual(['virtualOutbound', 'virtualInbound']);
  });

  it('gives gateways no sidecar listeners', () => {
    expect(generateFor(ldsGenerator, snap, proxy('router'))).toEqual([]);
  });
});

describe('LDS for proxyless gRPC', () => {
  it("names the API listener as dialed; a short name resolves in the proxy's namespace", () => {
    const [listener] = generateFor(ldsGenerator, snap, proxy('proxyless', 'default'), ['reviews:9080']);
    expect(listener?.name).toBe('reviews:9080');
    const hcm = (listener?.resource['apiListener'] as { apiListener: Record<string, unknown> }).apiListener;
    expect(hcm).toMatchObject({ rds: { routeConfigName: 'reviews:9080' } });
    expect((hcm['httpFilters'] as { name: string }[]).at(-1)?.name).toBe('envoy.filters.http.router');
    expect(listener?.resource['address']).toEqual({ socketAddress: { address: '10.96.0.12', portValue: 9080 } });
  });

  it('finds nothing for a short name from another namespace', () => {
    expect(generateFor(ldsGenerator, snap, proxy('proxyless', 'echo'), ['reviews:9080'])).toEqual([]);
  });

  it('uses the only or first port when none is dialed', () => {
    const [listener] = generateFor(ldsGenerator, snap, proxy('proxyless', 'default'), ['echo.echo']);
    expect(listener?.resource['address']).toMatchObject({ socketAddress: { portValue: 7070 } });
  });

  it('serves "<fqdn>:<port>" for every service port to a wildcard subscriber', () => {
    expect(namesOf(generateFor(ldsGenerator, snap, proxy('proxyless')))).toEqual([
      `${fqdn('db')}:5432`,
      `${fqdn('echo', 'echo')}:7070`,
      `${fqdn('echo', 'echo')}:8080`,
      `${fqdn('mongodb')}:27017`,
      `${fqdn('reviews')}:9080`,
    ]);
  });

  it('keys proxyless clients by namespace, and sidecars without inbound ports or L4 routes not by namespace', () => {
    const any = snapshot({});
    expect(ldsGenerator.keyOf(proxy('proxyless', 'a'), any)).not.toEqual(ldsGenerator.keyOf(proxy('proxyless', 'b'), any));
    expect(ldsGenerator.keyOf(proxy('sidecar', 'a'), any)).toEqual(ldsGenerator.keyOf(proxy('sidecar', 'b'), any));
  });
});

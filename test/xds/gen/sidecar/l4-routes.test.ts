/**
 * VirtualService `tcp` and `tls` routes on a sidecar's outbound TCP
 * listeners (Istio's buildSidecarOutboundTCPFilterChainOpts,
 * buildSidecarOutboundTLSFilterChainOpts and buildListenerFromEntry).
 */
import { describe, expect, it } from 'vitest';
import { ldsGenerator } from '../../../../src/xds/gen/lds/lds-generator.js';
import { ListenerType } from '../../../../src/xds/proto/type-urls.js';
import { expectValidOnTheWire } from '../gateway/helpers/gateway-mesh.js';
import { generateFor, namesOf, resourceNamed } from '../helpers/generate.js';
import { endpoint, fqdn, kubeService, port, proxy, serviceEntry, snapshot, virtualService } from '../helpers/mesh-builder.js';
import { typedConfig, type Json } from './sidecar-test-helpers.js';

const TCP_PROXY_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
const db = kubeService('db', 'default', [port(5432, 'TCP', 'tcp')], { clusterIP: '10.96.0.20' });
const dbV2 = kubeService('db-v2', 'default', [port(5432, 'TCP', 'tcp')], { clusterIP: '10.96.0.21' });
const cache = kubeService('cache', 'default', [port(6379, 'REDIS', 'redis')], { clusterIP: '10.96.0.22' });
const api = kubeService('api', 'default', [port(443, 'HTTPS', 'https')], { clusterIP: '10.96.0.30' });
const apiV2 = kubeService('api-v2', 'default', [port(443, 'HTTPS', 'https')], { clusterIP: '10.96.0.31' });
const services = [db, dbV2, cache, api, apiV2];

function tcpListener(snap: ReturnType<typeof snapshot>, name: string, labels: Record<string, string> = {}): Json {
  return resourceNamed(generateFor(ldsGenerator, snap, proxy('sidecar', 'default', labels)), name);
}

describe('tcp routes', () => {
  it('a route without matches splits by weight across its destinations', () => {
    const vs = virtualService('db', 'default', {
      hosts: [fqdn('db')],
      tcp: [{ route: [{ destination: { host: fqdn('db') }, weight: 80 }, { destination: { host: fqdn('db-v2') }, weight: 20 }] }],
    });
    const listener = tcpListener(snapshot({ services, virtualServices: [vs] }), '10.96.0.20_5432');
    const chains = listener['filterChains'] as Json[];
    expect(chains).toHaveLength(1);
    expect(typedConfig(chains[0] as Json)).toEqual({
      '@type': TCP_PROXY_TYPE,
      statPrefix: 'db.default',
      weightedClusters: { clusters: [{ name: `outbound|5432||${fqdn('db')}`, weight: 80 }, { name: `outbound|5432||${fqdn('db-v2')}`, weight: 20 }] },
    });
  });

  it('destinationSubnets select by address; the service cluster stays the default chain', () => {
    const vs = virtualService('db', 'default', {
      hosts: [fqdn('db')],
      tcp: [{ match: [{ destinationSubnets: ['10.96.0.20/32'] }], route: [{ destination: { host: fqdn('db-v2') } }] }],
    });
    const listener = tcpListener(snapshot({ services, virtualServices: [vs] }), '10.96.0.20_5432');
    const [chain] = listener['filterChains'] as Json[];
    expect(chain?.['filterChainMatch']).toEqual({ prefixRanges: [{ addressPrefix: '10.96.0.20', prefixLen: { value: 32 } }] });
    expect(typedConfig(chain as Json)).toMatchObject({ cluster: `outbound|5432||${fqdn('db-v2')}` });
    expect((listener['defaultFilterChain'] as Json)['filters']).toEqual([
      { name: 'envoy.filters.network.tcp_proxy', typedConfig: { '@type': TCP_PROXY_TYPE, statPrefix: `outbound|5432||${fqdn('db')}`, cluster: `outbound|5432||${fqdn('db')}` } },
    ]);
    expectValidOnTheWire(ListenerType, [{ name: 'db', resource: listener }]);
  });

  it('a match for another port, or for other source labels, does not apply', () => {
    const vs = virtualService('db', 'default', {
      hosts: [fqdn('db')],
      tcp: [
        { match: [{ port: 1234 }], route: [{ destination: { host: fqdn('db-v2') } }] },
        { match: [{ sourceLabels: { app: 'canary' } }], route: [{ destination: { host: fqdn('db-v2') } }] },
      ],
    });
    const snap = snapshot({ services, virtualServices: [vs] });
    expect(typedConfig((tcpListener(snap, '10.96.0.20_5432')['filterChains'] as Json[])[0] as Json)).toMatchObject({ cluster: `outbound|5432||${fqdn('db')}` });
    expect(typedConfig((tcpListener(snap, '10.96.0.20_5432', { app: 'canary' })['filterChains'] as Json[])[0] as Json)).toMatchObject({
      cluster: `outbound|5432||${fqdn('db-v2')}`,
    });
    // The labels decide the output, so they are in the key, but only through the matches they satisfy.
    const key = (labels: Record<string, string>): unknown => ldsGenerator.keyOf(proxy('sidecar', 'default', labels), snap);
    expect(key({ app: 'canary' })).not.toEqual(key({ app: 'web' }));
    expect(key({ app: 'web' })).toEqual(key({ app: 'other' }));
  });

  it('treats redis (and mongo, mysql) ports as TCP', () => {
    const listener = tcpListener(snapshot({ services }), '10.96.0.22_6379');
    expect(typedConfig((listener['filterChains'] as Json[])[0] as Json)).toMatchObject({ cluster: `outbound|6379||${fqdn('cache')}` });
  });
});

describe('tls routes', () => {
  const vs = virtualService('api', 'default', {
    hosts: [fqdn('api')],
    tls: [
      { match: [{ sniHosts: [fqdn('api')], port: 443 }], route: [{ destination: { host: fqdn('api-v2') } }] },
      // The same runtime match again: unreachable, so no second chain (Envoy would reject the duplicate).
      { match: [{ sniHosts: [fqdn('api')] }], route: [{ destination: { host: fqdn('api') } }] },
    ],
  });
  const listener = tcpListener(snapshot({ services, virtualServices: [vs] }), '10.96.0.30_443');

  it('select by SNI, with the TLS inspector to read it', () => {
    expect(listener['listenerFilters']).toEqual([
      { name: 'envoy.filters.listener.tls_inspector', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector' } },
    ]);
    const chains = listener['filterChains'] as Json[];
    expect(chains).toHaveLength(1);
    expect(chains[0]?.['filterChainMatch']).toEqual({ serverNames: [fqdn('api')] });
    expect(typedConfig(chains[0] as Json)).toMatchObject({ cluster: `outbound|443||${fqdn('api-v2')}` });
  });

  it('leave other SNI to the outbound catch-all (PassthroughFilterChain)', () => {
    expect(listener['defaultFilterChain']).toEqual({
      filterChainMatch: {},
      name: 'PassthroughFilterChain',
      filters: [{ name: 'envoy.filters.network.tcp_proxy', typedConfig: { '@type': TCP_PROXY_TYPE, statPrefix: 'PassthroughCluster', cluster: 'PassthroughCluster' } }],
    });
  });

  it('without a VirtualService, a TLS port on a VIP goes to its service with no SNI match', () => {
    const plain = tcpListener(snapshot({ services }), '10.96.0.31_443');
    expect(plain).not.toHaveProperty('listenerFilters');
    expect(plain).not.toHaveProperty('defaultFilterChain');
    expect(typedConfig((plain['filterChains'] as Json[])[0] as Json)).toMatchObject({ cluster: `outbound|443||${fqdn('api-v2')}` });
  });

  it('ignore tcp routes on TLS ports', () => {
    const tcpOnly = virtualService('api-tcp', 'default', { hosts: [fqdn('api-v2')], tcp: [{ route: [{ destination: { host: fqdn('db') } }] }] });
    const plain = tcpListener(snapshot({ services, virtualServices: [tcpOnly] }), '10.96.0.31_443');
    expect(typedConfig((plain['filterChains'] as Json[])[0] as Json)).toMatchObject({ cluster: `outbound|443||${fqdn('api-v2')}` });
  });

  it('pass Envoy validation and the proto round trip', () => {
    expectValidOnTheWire(ListenerType, [{ name: 'api', resource: listener }]);
  });
});

describe('services without a VIP', () => {
  const google = serviceEntry('www.google.com', 'default', 'DNS', [port(443, 'TLS', 'tls')]);
  const wildcard = serviceEntry('*.example.com', 'default', 'NONE', [port(443, 'HTTPS', 'https')]);
  const legacyDb = serviceEntry('db.legacy', 'default', 'DNS', [port(3306, 'TCP', 'tcp')]);
  const pinned = serviceEntry('pinned.legacy', 'default', 'NONE', [port(4000, 'TCP', 'tcp')]);
  const snap = snapshot({ services: [google, wildcard, legacyDb, pinned], endpoints: { 'pinned.legacy': [endpoint('192.168.0.9', port(4000, 'TCP', 'tcp'))] } });
  const listeners = generateFor(ldsGenerator, snap, proxy('sidecar'));

  it('share 0.0.0.0_<port> on TLS ports, one SNI chain per host (Istio: the host is the only way to tell them apart)', () => {
    const listener = resourceNamed(listeners, '0.0.0.0_443');
    expect((listener['filterChains'] as Json[]).map((c) => c['filterChainMatch'])).toEqual([{ serverNames: ['*.example.com'] }, { serverNames: ['www.google.com'] }]);
    expect(typedConfig((listener['filterChains'] as Json[])[1] as Json)).toMatchObject({ cluster: 'outbound|443||www.google.com' });
    expect((listener['listenerFilters'] as Json[]).map((f) => f['name'])).toEqual(['envoy.filters.listener.tls_inspector']);
    expect((listener['defaultFilterChain'] as Json)['name']).toBe('PassthroughFilterChain');
  });

  it('get a match-all 0.0.0.0_<port> listener on plain TCP ports', () => {
    const listener = resourceNamed(listeners, '0.0.0.0_3306');
    expect(typedConfig((listener['filterChains'] as Json[])[0] as Json)).toMatchObject({ cluster: 'outbound|3306||db.legacy' });
    expect(listener).not.toHaveProperty('defaultFilterChain');
  });

  it('resolution NONE with endpoints is left to per-endpoint listeners, which are not built', () => {
    expect(namesOf(listeners).some((n) => n.endsWith('_4000'))).toBe(false);
  });

  it('pass Envoy validation and the proto round trip', () => {
    expectValidOnTheWire(ListenerType, listeners);
  });
});

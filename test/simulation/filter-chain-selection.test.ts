/** Envoy's FilterChainMatch order and most-specific-wins rule, on one hand-written listener. */
import { describe, expect, it } from 'vitest';
import { chain, edsCluster, listener, resources, tcpFilter } from './hand-written-resources.js';
import { simulate } from './simulate.js';

const TLS_INSPECTOR = { name: 'envoy.filters.listener.tls_inspector', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector' } };

function gatewayWith(chains: readonly Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  const clusters = chains.map((c) => edsCluster(String(c['name'])));
  return resources({ listeners: [listener('0.0.0.0_443', '0.0.0.0', 443, { listenerFilters: [TLS_INSPECTOR], filterChains: chains, ...extra })], clusters });
}

const named = (name: string, match?: Record<string, unknown>) => chain(name, [tcpFilter(name)], match);
const chosen = (r: ReturnType<typeof simulate>) => r.filterChain.name;

describe('filter chain selection', () => {
  it('prefers the chain whose destination port matches over one without a port', () => {
    const r = gatewayWith([named('no-port'), named('port-443', { destinationPort: { value: 443 } })]);
    expect(chosen(simulate(r, { protocol: 'tcp', mode: 'gateway', address: '1.2.3.4', port: 443 }))).toBe('port-443');
  });

  it('keeps only chains with the best prefix range: a /32 beats a /8', () => {
    const r = gatewayWith([
      named('wide', { prefixRanges: [{ addressPrefix: '10.0.0.0', prefixLen: { value: 8 } }] }),
      named('narrow', { prefixRanges: [{ addressPrefix: '10.1.2.3', prefixLen: { value: 32 } }] }),
      named('any'),
    ]);
    expect(chosen(simulate(r, { protocol: 'tcp', mode: 'gateway', address: '10.1.2.3', port: 443 }))).toBe('narrow');
    expect(chosen(simulate(r, { protocol: 'tcp', mode: 'gateway', address: '10.9.9.9', port: 443 }))).toBe('wide');
    expect(chosen(simulate(r, { protocol: 'tcp', mode: 'gateway', address: '192.168.0.1', port: 443 }))).toBe('any');
  });

  it('ranks server names: exact, then the longest wildcard, then chains without names', () => {
    const r = gatewayWith([
      named('exact', { serverNames: ['api.example.com'], transportProtocol: 'tls' }),
      named('wild', { serverNames: ['*.example.com'], transportProtocol: 'tls' }),
      named('wilder', { serverNames: ['*.com'], transportProtocol: 'tls' }),
      named('fallback', { transportProtocol: 'tls' }),
    ]);
    const via = (sni: string) => chosen(simulate(r, { protocol: 'tls', mode: 'gateway', address: '1.2.3.4', port: 443, sni }));
    expect(via('api.example.com')).toBe('exact');
    expect(via('www.example.com')).toBe('wild');
    expect(via('a.b.example.com')).toBe('wild');
    expect(via('shop.com')).toBe('wilder');
    // A wildcard needs at least one label in front of it.
    expect(via('example.org')).toBe('fallback');
  });

  it('tells TLS from plain text only with the TLS inspector', () => {
    const chains = [named('tls', { transportProtocol: 'tls' }), named('plain', { transportProtocol: 'raw_buffer' })];
    const withInspector = gatewayWith(chains);
    expect(chosen(simulate(withInspector, { protocol: 'tls', mode: 'gateway', address: '1.2.3.4', port: 443, sni: 'x' }))).toBe('tls');
    expect(chosen(simulate(withInspector, { protocol: 'tcp', mode: 'gateway', address: '1.2.3.4', port: 443 }))).toBe('plain');
    const withoutInspector = gatewayWith(chains, { listenerFilters: [] });
    expect(chosen(simulate(withoutInspector, { protocol: 'tls', mode: 'gateway', address: '1.2.3.4', port: 443, sni: 'x' }))).toBe('plain');
  });

  it('matches application protocols offered in the ClientHello', () => {
    const r = gatewayWith([
      named('istio-mtls', { transportProtocol: 'tls', applicationProtocols: ['istio-peer-exchange', 'istio'] }),
      named('tls', { transportProtocol: 'tls' }),
    ]);
    expect(chosen(simulate(r, { protocol: 'tls', mode: 'gateway', address: '1.2.3.4', port: 443, sni: 'x', alpn: ['istio'] }))).toBe('istio-mtls');
    expect(chosen(simulate(r, { protocol: 'tls', mode: 'gateway', address: '1.2.3.4', port: 443, sni: 'x', alpn: ['h2'] }))).toBe('tls');
  });

  it('uses the default chain when no chain matches, and fails with the request described when there is none', () => {
    const chains = [named('only-sni', { serverNames: ['a.example.com'] })];
    const defaultChain = chain('default', [tcpFilter('default')]);
    const r = gatewayWith(chains, { defaultFilterChain: defaultChain });
    const withDefault = resources({ ...r, clusters: [...r.clusters, edsCluster('default')] });
    const result = simulate(withDefault, { protocol: 'tls', mode: 'gateway', address: '1.2.3.4', port: 443, sni: 'b.example.com' });
    expect(result.filterChain).toEqual({ index: -1, name: 'default', isDefault: true });
    expect(() => simulate(gatewayWith(chains), { protocol: 'tls', mode: 'gateway', address: '1.2.3.4', port: 443, sni: 'b.example.com' })).toThrow(
      /no chain matches port 443, 1\.2\.3\.4, sni b\.example\.com, tls/,
    );
  });

  it('refuses two chains that match equally, as Envoy refuses such a listener', () => {
    const r = gatewayWith([named('one', { serverNames: ['a.example.com'] }), named('two', { serverNames: ['a.example.com'] })]);
    expect(() => simulate(r, { protocol: 'tls', mode: 'gateway', address: '1.2.3.4', port: 443, sni: 'a.example.com' })).toThrow(/several chains match equally \(one, two\)/);
  });
});

/** Listener selection: Envoy's original-destination hand-off for sidecars, direct binding for gateways. */
import { describe, expect, it } from 'vitest';
import { chain, hcmFilter, listener, resources, routeConfig, routeTo, sidecarListeners, tcpFilter, virtualHost, edsCluster } from './hand-written-resources.js';
import { simulate } from './simulate.js';
import { SimulationError } from './simulation-error.js';

const base = resources({
  listeners: [
    ...sidecarListeners([9080]),
    listener('10.96.0.20_9080', '10.96.0.20', 9080, { bindToPort: { value: false }, filterChains: [chain('exact', [tcpFilter('exact-cluster')])] }),
  ],
  routes: [routeConfig('9080', [virtualHost('any', ['*'], [routeTo('wildcard-cluster')])])],
  clusters: [edsCluster('exact-cluster'), edsCluster('wildcard-cluster'), edsCluster('PassthroughCluster')],
});

describe('listener selection', () => {
  it('hands an outbound connection to the listener for its exact original destination first', () => {
    expect(simulate(base, { protocol: 'tcp', address: '10.96.0.20', port: 9080 }).listener).toBe('10.96.0.20_9080');
  });

  it('falls back to 0.0.0.0:<port> when no listener has the exact address', () => {
    const result = simulate(base, { protocol: 'http', address: '10.96.0.21', port: 9080 });
    expect(result.listener).toBe('0.0.0.0_9080');
    expect(result.http?.routeConfig).toBe('9080');
  });

  it('keeps the connection on virtualOutbound when no listener has its port (passthrough)', () => {
    const result = simulate(base, { protocol: 'tcp', address: '203.0.113.7', port: 443 });
    expect(result.listener).toBe('virtualOutbound');
    expect(result.tcp?.targets).toEqual([{ cluster: 'PassthroughCluster', weight: 100 }]);
  });

  it('keeps everything on virtualOutbound when it does not use the original destination', () => {
    const noHandOff = resources({
      ...base,
      listeners: base.listeners.map((l) => (l.name === 'virtualOutbound' ? { ...l, resource: { ...l.resource, useOriginalDst: { value: false } } } : l)),
    });
    expect(simulate(noHandOff, { protocol: 'tcp', address: '10.96.0.20', port: 9080 }).listener).toBe('virtualOutbound');
  });

  it('finds a gateway listener by its bound address and port, and names what exists when none is there', () => {
    const gateway = resources({
      listeners: [listener('0.0.0.0_8080', '0.0.0.0', 8080, { filterChains: [chain('', [hcmFilter('http.8080')])] })],
      routes: [routeConfig('http.8080', [virtualHost('*:80', ['*'], [routeTo('c')])])],
      clusters: [edsCluster('c')],
    });
    expect(simulate(gateway, { protocol: 'http', mode: 'gateway', address: '10.244.0.5', port: 8080 }).listener).toBe('0.0.0.0_8080');
    expect(() => simulate(gateway, { protocol: 'http', mode: 'gateway', address: '10.244.0.5', port: 80 })).toThrow(/no listener on 10\.244\.0\.5:80 .*0\.0\.0\.0_8080/);
  });

  it('sends inbound traffic to virtualInbound, and says so when it is missing', () => {
    let caught: unknown;
    try {
      simulate(base, { protocol: 'http', mode: 'inbound', address: '10.244.0.13', port: 9080 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SimulationError);
    expect((caught as SimulationError).stage).toBe('listener');
    expect((caught as Error).message).toMatch(/virtualInbound/);
  });
});

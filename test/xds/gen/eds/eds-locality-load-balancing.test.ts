/**
 * Locality load balancing in EDS, relative to the client's locality
 * (Istio's ApplyLocalityLoadBalancer). Endpoints: one per locality;
 * the client runs in us/east/a.
 */
import { describe, expect, it } from 'vitest';
import type { ProxyNode } from '../../../../src/model/proxy.js';
import type { Locality, TrafficPolicy } from '../../../../src/model/types.js';
import { edsGenerator } from '../../../../src/xds/gen/eds/eds-generator.js';
import { generateFor, resourceNamed } from '../helpers/generate.js';
import { destinationRule, endpoint, fqdn, kubeService, port, proxy, snapshot } from '../helpers/mesh-builder.js';

const http = port(9080, 'HTTP', 'http');
const REVIEWS = fqdn('reviews');
const CLUSTER = `outbound|9080||${REVIEWS}`;
const client: ProxyNode = { ...proxy('sidecar', 'default', { version: 'v1' }), locality: { region: 'us', zone: 'east', subzone: 'a' } };

const at = (address: string, locality: Locality, version = 'v1'): ReturnType<typeof endpoint> => endpoint(address, http, { locality, labels: { version } });
const ENDPOINTS = [
  at('10.0.0.1', { region: 'us', zone: 'east', subzone: 'a' }),
  at('10.0.0.2', { region: 'us', zone: 'east', subzone: 'b' }, 'v2'),
  at('10.0.0.3', { region: 'us', zone: 'west', subzone: 'x' }),
  at('10.0.0.4', { region: 'eu', zone: 'west', subzone: 'y' }),
  at('10.0.0.5', { region: 'ap', zone: 'south', subzone: 'z' }),
];

interface Placement {
  readonly addresses: string[];
  readonly priority: number;
  readonly weight: number;
}

function placements(trafficPolicy: TrafficPolicy, node: ProxyNode = client, endpoints = ENDPOINTS): Record<string, Placement> {
  const snap = snapshot({
    services: [kubeService('reviews', 'default', [http])],
    endpoints: { [REVIEWS]: endpoints },
    destinationRules: [destinationRule('reviews', 'default', { host: REVIEWS, trafficPolicy })],
  });
  const localities = resourceNamed(generateFor(edsGenerator, snap, node), CLUSTER)['endpoints'] as {
    locality: { region: string; zone: string; subZone: string };
    priority?: number;
    loadBalancingWeight: { value: number };
    lbEndpoints?: { endpoint: { address: { socketAddress: { address: string } } } }[];
  }[];
  const out: Record<string, Placement> = {};
  for (const l of localities) {
    const key = `${l.locality.region}/${l.locality.zone}/${l.locality.subZone}${out[`${l.locality.region}/${l.locality.zone}/${l.locality.subZone}`] ? '#2' : ''}`;
    out[key] = { addresses: (l.lbEndpoints ?? []).map((e) => e.endpoint.address.socketAddress.address), priority: l.priority ?? 0, weight: l.loadBalancingWeight.value };
  }
  return out;
}

const priorities = (p: Record<string, Placement>): Record<string, number> => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.priority]));

describe('locality failover', () => {
  it('is off without outlier detection: every locality at priority 0', () => {
    expect(Object.values(priorities(placements({ loadBalancer: { localityLbSetting: { failover: [{ from: 'us', to: 'ap' }] } } }))).every((p) => p === 0)).toBe(true);
  });

  it("with outlier detection, Istio's default orders by closeness: subzone, zone, region, elsewhere", () => {
    expect(priorities(placements({ outlierDetection: { consecutive5xxErrors: 5 } }))).toEqual({
      'ap/south/z': 3,
      'eu/west/y': 3,
      'us/east/a': 0,
      'us/east/b': 1,
      'us/west/x': 2,
    });
  });

  it('failover names the region to try before the other regions', () => {
    const policy = { outlierDetection: { consecutive5xxErrors: 5 }, loadBalancer: { localityLbSetting: { failover: [{ from: 'us', to: 'ap' }] } } };
    expect(priorities(placements(policy))).toEqual({ 'ap/south/z': 3, 'eu/west/y': 4, 'us/east/a': 0, 'us/east/b': 1, 'us/west/x': 2 });
  });

  it('localityLbSetting.enabled false turns it off', () => {
    const policy = { outlierDetection: { consecutive5xxErrors: 5 }, loadBalancer: { localityLbSetting: { enabled: false } } };
    expect(Object.values(priorities(placements(policy))).every((p) => p === 0)).toBe(true);
  });

  it('failoverPriority splits localities by matching labels before closeness', () => {
    const policy = { outlierDetection: { consecutive5xxErrors: 5 }, loadBalancer: { localityLbSetting: { failoverPriority: ['version'] } } };
    // The client is version v1: every v1 endpoint first (priority 0), the v2 one after (1), whatever its locality.
    expect(priorities(placements(policy))).toEqual({ 'ap/south/z': 0, 'eu/west/y': 0, 'us/east/a': 0, 'us/east/b': 1, 'us/west/x': 0 });
  });

  it('failoverPriority may name topology labels, which Istio derives from localities', () => {
    const policy = { outlierDetection: { consecutive5xxErrors: 5 }, loadBalancer: { localityLbSetting: { failoverPriority: ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone'] } } };
    expect(priorities(placements(policy))).toEqual({ 'ap/south/z': 2, 'eu/west/y': 2, 'us/east/a': 0, 'us/east/b': 0, 'us/west/x': 1 });
  });
});

describe('failoverPriority and an unlabelled client', () => {
  const policy = { outlierDetection: { consecutive5xxErrors: 5 }, loadBalancer: { localityLbSetting: { failoverPriority: ['version'] } } };
  const unversioned = endpoint('10.0.0.1', http, { locality: { region: 'us', zone: 'east', subzone: 'a' } });
  const versioned = at('10.0.0.2', { region: 'us', zone: 'east', subzone: 'b' }, 'v1');
  const plain = (labels: Record<string, string>): ProxyNode => proxy('sidecar', 'default', labels);

  it('compares a label the client lacks as empty: endpoints without it come first', () => {
    expect(priorities(placements(policy, plain({ app: 'sleep' }), [unversioned, versioned]))).toEqual({ 'us/east/a': 0, 'us/east/b': 1 });
  });

  it('does nothing for a client with no labels and no locality, as Istio skips it', () => {
    expect(priorities(placements(policy, plain({}), [unversioned, versioned]))).toEqual({ 'us/east/a': 0, 'us/east/b': 0 });
  });
});

describe('locality distribute', () => {
  it("re-weights the client's rule's target localities in proportion and empties the rest", () => {
    const policy = { loadBalancer: { localityLbSetting: { distribute: [{ from: 'us/east/*', to: { 'us/east/*': 80, 'us/west/*': 20 } }] } } };
    const p = placements(policy);
    expect(p['us/east/a']).toEqual({ addresses: ['10.0.0.1'], priority: 0, weight: 40 });
    expect(p['us/east/b']).toEqual({ addresses: ['10.0.0.2'], priority: 0, weight: 40 });
    expect(p['us/west/x']).toEqual({ addresses: ['10.0.0.3'], priority: 0, weight: 20 });
    expect(p['eu/west/y']).toEqual({ addresses: [], priority: 0, weight: 1 });
  });

  it('a client matching no rule keeps the plain weights', () => {
    const policy = { loadBalancer: { localityLbSetting: { distribute: [{ from: 'eu/*', to: { 'eu/*': 100 } }] } } };
    expect(placements(policy)['us/east/a']).toEqual({ addresses: ['10.0.0.1'], priority: 0, weight: 1 });
  });
});

describe('EDS key and locality', () => {
  const snapWith = (trafficPolicy: TrafficPolicy): ReturnType<typeof snapshot> =>
    snapshot({ services: [kubeService('reviews', 'default', [http])], destinationRules: [destinationRule('reviews', 'default', { host: REVIEWS, trafficPolicy })] });
  const elsewhere: ProxyNode = { ...client, locality: { region: 'eu' } };

  it('ignores locality while no rule can order endpoints by it', () => {
    const snap = snapWith({ loadBalancer: { simple: 'RANDOM' } });
    expect(edsGenerator.keyOf(client, snap)).toEqual(edsGenerator.keyOf(elsewhere, snap));
  });

  it('keys on locality, and on the labels failoverPriority names, once a rule does', () => {
    const snap = snapWith({ outlierDetection: { consecutive5xxErrors: 1 } });
    expect(edsGenerator.keyOf(client, snap)).not.toEqual(edsGenerator.keyOf(elsewhere, snap));
    const byVersion = snapWith({ outlierDetection: { consecutive5xxErrors: 1 }, loadBalancer: { localityLbSetting: { failoverPriority: ['version'] } } });
    const v2: ProxyNode = { ...client, labels: { version: 'v2', unrelated: 'x' } };
    expect(edsGenerator.keyOf(client, byVersion)).not.toEqual(edsGenerator.keyOf(v2, byVersion));
    expect(edsGenerator.keyOf(v2, byVersion)).toEqual(edsGenerator.keyOf({ ...v2, labels: { version: 'v2' } }, byVersion));
  });
});

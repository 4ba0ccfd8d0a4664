/**
 * MeshConfig.localityLbSetting in EDS: Istio's GetEffectiveLbSetting uses
 * the DestinationRule's localityLbSetting, else the mesh's (default
 * `{enabled: true}`), and ApplyLocalityLoadBalancer applies it relative to
 * the client's locality: distribute with or without a rule, failover only
 * under outlier detection, nothing when the setting in force is disabled.
 */
import { describe, expect, it } from 'vitest';
import type { ProxyNode } from '../../../../src/model/proxy.js';
import type { Locality, LocalityLbSetting, TrafficPolicy } from '../../../../src/model/types.js';
import { edsGenerator } from '../../../../src/xds/gen/eds/eds-generator.js';
import { generateFor, resourceNamed } from '../helpers/generate.js';
import { destinationRule, endpoint, fqdn, kubeService, port, proxy, snapshot } from '../helpers/mesh-builder.js';

const http = port(9080, 'HTTP', 'http');
const REVIEWS = fqdn('reviews');
const CLUSTER = `outbound|9080||${REVIEWS}`;
const client: ProxyNode = { ...proxy('sidecar'), locality: { region: 'us', zone: 'east', subzone: 'a' } };
const at = (address: string, locality: Locality): ReturnType<typeof endpoint> => endpoint(address, http, { locality });
const ENDPOINTS = [at('10.0.0.1', { region: 'us', zone: 'east', subzone: 'a' }), at('10.0.0.2', { region: 'us', zone: 'west', subzone: 'x' }), at('10.0.0.3', { region: 'eu', zone: 'west', subzone: 'y' })];
const OUTLIER = { outlierDetection: { consecutive5xxErrors: 5 } };

type Placement = { priority: number; weight: number };

function snapWith(meshSetting: LocalityLbSetting | undefined, trafficPolicy?: TrafficPolicy): ReturnType<typeof snapshot> {
  return snapshot({
    mesh: meshSetting ? { localityLbSetting: meshSetting } : {},
    services: [kubeService('reviews', 'default', [http])],
    endpoints: { [REVIEWS]: ENDPOINTS },
    destinationRules: trafficPolicy ? [destinationRule('reviews', 'default', { host: REVIEWS, trafficPolicy })] : [],
  });
}

function placements(meshSetting: LocalityLbSetting | undefined, trafficPolicy?: TrafficPolicy, node: ProxyNode = client): Record<string, Placement> {
  const localities = resourceNamed(generateFor(edsGenerator, snapWith(meshSetting, trafficPolicy), node), CLUSTER)['endpoints'] as {
    locality: { region: string; zone: string };
    priority?: number;
    loadBalancingWeight: { value: number };
  }[];
  return Object.fromEntries(localities.map((l) => [`${l.locality.region}/${l.locality.zone}`, { priority: l.priority ?? 0, weight: l.loadBalancingWeight.value }]));
}

const DISTRIBUTE: LocalityLbSetting = { distribute: [{ from: 'us/*', to: { 'us/*': 80, 'eu/*': 20 } }] };

describe('MeshConfig.localityLbSetting in EDS', () => {
  it('a mesh-wide distribute re-weights localities for services with no DestinationRule at all', () => {
    expect(placements(DISTRIBUTE)).toEqual({
      'us/east': { priority: 0, weight: 40 },
      'us/west': { priority: 0, weight: 40 },
      'eu/west': { priority: 0, weight: 20 },
    });
    expect(placements(undefined)).toEqual({ 'us/east': { priority: 0, weight: 1 }, 'us/west': { priority: 0, weight: 1 }, 'eu/west': { priority: 0, weight: 1 } });
  });

  it("a rule's own localityLbSetting replaces the mesh's whole", () => {
    const own = { loadBalancer: { localityLbSetting: { distribute: [{ from: 'us/*', to: { 'eu/*': 100 } }] } } };
    expect(placements(DISTRIBUTE, own)).toEqual({ 'us/east': { priority: 0, weight: 1 }, 'us/west': { priority: 0, weight: 1 }, 'eu/west': { priority: 0, weight: 100 } });
  });

  it('a mesh-wide failover orders regions under a rule with outlier detection', () => {
    // Closeness first (same zone 0, same region 1), then the failover region before any other (Istio's applyLocalityFailover).
    expect(placements({ failover: [{ from: 'us', to: 'eu' }] }, OUTLIER)).toEqual({
      'us/east': { priority: 0, weight: 1 },
      'us/west': { priority: 1, weight: 1 },
      'eu/west': { priority: 2, weight: 1 },
    });
  });

  it("a disabled mesh setting turns Istio's default failover off; the default leaves it on", () => {
    expect(Object.values(placements({ enabled: false }, OUTLIER)).map((p) => p.priority)).toEqual([0, 0, 0]);
    expect(Object.values(placements(undefined, OUTLIER)).map((p) => p.priority).sort()).toEqual([0, 1, 2]);
  });

  it("keys EDS on the client's locality once the mesh distributes by it", () => {
    const elsewhere: ProxyNode = { ...client, locality: { region: 'eu' } };
    expect(edsGenerator.keyOf(client, snapWith(undefined))).toEqual(edsGenerator.keyOf(elsewhere, snapWith(undefined)));
    expect(edsGenerator.keyOf(client, snapWith(DISTRIBUTE))).not.toEqual(edsGenerator.keyOf(elsewhere, snapWith(DISTRIBUTE)));
    expect(placements(DISTRIBUTE, undefined, elsewhere)['eu/west']).toEqual({ priority: 0, weight: 1 });
  });
});

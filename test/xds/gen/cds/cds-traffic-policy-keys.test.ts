/** The CDS key grows only when a traffic policy makes a proxy attribute matter. */
import { describe, expect, it } from 'vitest';
import { cdsGenerator } from '../../../../src/xds/gen/cds/cds-generator.js';
import { generateFor } from '../helpers/generate.js';
import type { ProxyNode } from '../../../../src/model/proxy.js';
import type { MeshSnapshot, TrafficPolicy } from '../../../../src/model/types.js';
import { destinationRule, endpoint, port, proxy, serviceEntry, snapshot } from '../helpers/mesh-builder.js';
import { gatewayProxy, policyMesh } from './helpers/policy-mesh.js';

const inEast: ProxyNode = { ...proxy('sidecar'), locality: { region: 'us', zone: 'east' } };
const inWest: ProxyNode = { ...proxy('sidecar'), locality: { region: 'us', zone: 'west' } };
const key = (node: ProxyNode, snap: MeshSnapshot): Record<string, unknown> => ({ ...cdsGenerator.keyOf(node, snap) });

describe('CDS key', () => {
  it('ignores locality while the rules that could use it are for EDS services, whose endpoints EDS carries', () => {
    const outlier = policyMesh({ outlierDetection: { consecutive5xxErrors: 1 } });
    expect(key(inEast, outlier)['localityClient']).toBe('');
    expect(key(inEast, outlier)).toEqual(key(inWest, outlier));
  });

  it('carries locality once such a rule is for a DNS service, whose endpoints sit in the cluster', () => {
    const tcp = port(5432, 'TCP', 'pg');
    const rule = (trafficPolicy: TrafficPolicy): MeshSnapshot =>
      snapshot({
        services: [serviceEntry('db.internal', 'default', 'DNS', [tcp])],
        endpoints: { 'db.internal': [endpoint('192.168.0.1', tcp)] },
        destinationRules: [destinationRule('db', 'default', { host: 'db.internal', trafficPolicy })],
      });
    expect(key(inEast, rule({ loadBalancer: { simple: 'RANDOM' } }))['localityClient']).toBe('');
    const outlier = rule({ outlierDetection: { consecutive5xxErrors: 1 } });
    expect(key(inEast, outlier)['localityClient']).not.toEqual(key(inWest, outlier)['localityClient']);
  });

  it('lets gateways read credentials only when some rule names one', () => {
    expect(key(gatewayProxy(), policyMesh({ tls: { mode: 'SIMPLE' } }))['mayReadCredentials']).toBe(false);
    expect(key(gatewayProxy(), policyMesh({ tls: { mode: 'SIMPLE', credentialName: 'c' } }))['mayReadCredentials']).toBe(true);
    expect(key(proxy('sidecar'), policyMesh({ tls: { mode: 'SIMPLE', credentialName: 'c' } }))['mayReadCredentials']).toBe(false);
  });
});

describe('DNS cluster endpoints and locality', () => {
  it('orders the inline endpoints by closeness to the client once outlier detection is on', () => {
    const tcp = port(5432, 'TCP', 'pg');
    const snap = snapshot({
      services: [serviceEntry('db.internal', 'default', 'DNS', [tcp])],
      endpoints: { 'db.internal': [endpoint('192.168.0.1', tcp, { locality: { region: 'us', zone: 'east' } }), endpoint('192.168.0.2', tcp, { locality: { region: 'eu', zone: 'west' } })] },
      destinationRules: [destinationRule('db', 'default', { host: 'db.internal', trafficPolicy: { outlierDetection: { consecutive5xxErrors: 1 } } })],
    });
    const priorities = (node: ProxyNode): Record<string, number> => {
      const cluster = generateFor(cdsGenerator, snap, node).find((r) => r.name === 'outbound|5432||db.internal')?.resource as { loadAssignment: { endpoints: { locality: { region: string }; priority?: number }[] } };
      return Object.fromEntries(cluster.loadAssignment.endpoints.map((l) => [l.locality.region, l.priority ?? 0]));
    };
    expect(priorities(inEast)).toEqual({ us: 0, eu: 1 });
    expect(priorities({ ...proxy('sidecar'), locality: { region: 'eu', zone: 'west' } })).toEqual({ us: 1, eu: 0 });
  });
});

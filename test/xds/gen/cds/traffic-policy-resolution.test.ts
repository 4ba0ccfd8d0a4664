/**
 * Which policy a cluster gets (Istio's GetPortLevelTrafficPolicy and
 * MergeSubsetTrafficPolicy): port-level settings replace the top level
 * outright; a subset replaces the sub-policies it sets.
 */
import { describe, expect, it } from 'vitest';
import { mergeSubsetPolicy, portLevelPolicy } from '../../../../src/xds/gen/common/cluster-traffic-policy.js';
import type { TrafficPolicy } from '../../../../src/model/types.js';
import { clusterOf, policyMesh, REVIEWS } from './helpers/policy-mesh.js';

const top: TrafficPolicy = {
  loadBalancer: { simple: 'RANDOM' },
  connectionPool: { tcp: { maxConnections: 10 } },
  outlierDetection: { consecutive5xxErrors: 5 },
  portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { simple: 'ROUND_ROBIN' } }],
};

describe('traffic policy resolution', () => {
  it('a port-level entry replaces the whole top-level policy for its port, inheriting nothing', () => {
    expect(portLevelPolicy(top, 9080)).toEqual({ policy: { loadBalancer: { simple: 'ROUND_ROBIN' } }, hasPortLevel: true });
    const { portLevelSettings: _ports, ...forOtherPorts } = top;
    expect(portLevelPolicy(top, 3306)).toEqual({ policy: forOtherPorts, hasPortLevel: false });
  });

  it('a subset replaces only the sub-policies it sets', () => {
    const merged = mergeSubsetPolicy(top, { connectionPool: { http: { http2MaxRequests: 7 } } }, 3306);
    expect(merged?.connectionPool).toEqual({ http: { http2MaxRequests: 7 } });
    expect(merged?.loadBalancer).toEqual({ simple: 'RANDOM' });
    expect(merged?.outlierDetection).toEqual({ consecutive5xxErrors: 5 });
  });

  it("a subset's port-level entry replaces all four sub-policies, clearing what it leaves out", () => {
    const subset: TrafficPolicy = { portLevelSettings: [{ port: { number: 3306 }, tls: { mode: 'ISTIO_MUTUAL' } }] };
    expect(mergeSubsetPolicy(top, subset, 3306)).toEqual({ tls: { mode: 'ISTIO_MUTUAL' } });
  });

  it('applies through CDS: top level on the default cluster, the port-level entry on its port, the subset over both', () => {
    const snap = policyMesh(top, [{ name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } } }]);
    expect(clusterOf(snap, `outbound|3306||${REVIEWS}`)['lbPolicy']).toBe('RANDOM');
    expect(clusterOf(snap, `outbound|9080||${REVIEWS}`)['lbPolicy']).toBe('ROUND_ROBIN');
    expect(clusterOf(snap, `outbound|9080|v2|${REVIEWS}`)['lbPolicy']).toBe('LEAST_REQUEST');
    // The port-level entry set no connection pool, so port 9080 gets Istio's unlimited defaults, not maxConnections 10.
    const thresholds = (c: Record<string, unknown>): unknown => (c['circuitBreakers'] as { thresholds: Record<string, unknown>[] }).thresholds[0]?.['maxConnections'];
    expect(thresholds(clusterOf(snap, `outbound|3306||${REVIEWS}`))).toEqual({ value: 10 });
    expect(thresholds(clusterOf(snap, `outbound|9080||${REVIEWS}`))).toEqual({ value: 4294967295 });
  });
});

/** loadBalancer → lbPolicy and its config, as Istio's applyLoadBalancer and ApplyRingHashLoadBalancer write them. */
import { describe, expect, it } from 'vitest';
import type { LoadBalancerSettings } from '../../../../src/model/types.js';
import { clusterOf, policyMesh, REVIEWS } from './helpers/policy-mesh.js';

const cluster = (loadBalancer: LoadBalancerSettings, name = `outbound|9080||${REVIEWS}`): Record<string, unknown> => clusterOf(policyMesh({ loadBalancer }), name);

describe('loadBalancer', () => {
  it('simple algorithms map one to one; LEAST_CONN is the deprecated LEAST_REQUEST', () => {
    expect(cluster({ simple: 'ROUND_ROBIN' })['lbPolicy']).toBe('ROUND_ROBIN');
    expect(cluster({ simple: 'LEAST_REQUEST' })['lbPolicy']).toBe('LEAST_REQUEST');
    expect(cluster({ simple: 'LEAST_CONN' })['lbPolicy']).toBe('LEAST_REQUEST');
    expect(cluster({ simple: 'RANDOM' })['lbPolicy']).toBe('RANDOM');
  });

  it("UNSPECIFIED is Istio's default, LEAST_REQUEST", () => {
    expect(cluster({ simple: 'UNSPECIFIED' })['lbPolicy']).toBe('LEAST_REQUEST');
  });

  it('PASSTHROUGH makes an ORIGINAL_DST cluster with CLUSTER_PROVIDED and no EDS config', () => {
    const c = cluster({ simple: 'PASSTHROUGH' });
    expect(c).toMatchObject({ type: 'ORIGINAL_DST', lbPolicy: 'CLUSTER_PROVIDED' });
    expect(c).not.toHaveProperty('edsClusterConfig');
  });

  it('a PASSTHROUGH subset is ORIGINAL_DST too', () => {
    const snap = policyMesh(undefined, [{ name: 'direct', labels: { version: 'v1' }, trafficPolicy: { loadBalancer: { simple: 'PASSTHROUGH' } } }]);
    expect(clusterOf(snap, `outbound|9080|direct|${REVIEWS}`)).toMatchObject({ type: 'ORIGINAL_DST', lbPolicy: 'CLUSTER_PROVIDED' });
  });

  it('a consistent hash without ring settings is RING_HASH with minimumRingSize 1024, or the deprecated minimumRingSize', () => {
    expect(cluster({ consistentHash: { httpHeaderName: 'x-user' } })).toMatchObject({ lbPolicy: 'RING_HASH', ringHashLbConfig: { minimumRingSize: { value: 1024 } } });
    expect(cluster({ consistentHash: { useSourceIp: true, minimumRingSize: 4096 } })['ringHashLbConfig']).toEqual({ minimumRingSize: { value: 4096 } });
  });

  it('ringHash.minimumRingSize wins; a ringHash without one leaves Envoy its default', () => {
    expect(cluster({ consistentHash: { httpHeaderName: 'x', ringHash: { minimumRingSize: 2048 } } })['ringHashLbConfig']).toEqual({ minimumRingSize: { value: 2048 } });
    const bare = cluster({ consistentHash: { httpHeaderName: 'x', ringHash: {} } });
    expect(bare['lbPolicy']).toBe('RING_HASH');
    expect(bare).not.toHaveProperty('ringHashLbConfig');
  });

  it('maglev is MAGLEV with its table size', () => {
    expect(cluster({ consistentHash: { httpHeaderName: 'x', maglev: { tableSize: 65537 } } })).toMatchObject({ lbPolicy: 'MAGLEV', maglevLbConfig: { tableSize: { value: 65537 } } });
  });

  it('warmupDurationSecs becomes the slow start window of ROUND_ROBIN and LEAST_REQUEST', () => {
    expect(cluster({ simple: 'ROUND_ROBIN', warmupDurationSecs: '60s' })['roundRobinLbConfig']).toEqual({ slowStartConfig: { slowStartWindow: { seconds: 60 } } });
    expect(cluster({ warmupDurationSecs: '1m30s' })['leastRequestLbConfig']).toEqual({ slowStartConfig: { slowStartWindow: { seconds: 90 } } });
    expect(cluster({ simple: 'RANDOM', warmupDurationSecs: '60s' })).not.toHaveProperty('roundRobinLbConfig');
  });

  it('warmup adds aggression (default 1) and the minimum weight percent (default 10)', () => {
    expect(cluster({ simple: 'ROUND_ROBIN', warmup: { duration: '30s' } })['roundRobinLbConfig']).toEqual({
      slowStartConfig: { slowStartWindow: { seconds: 30 }, aggression: { defaultValue: 1, runtimeKey: '(' }, minWeightPercent: { value: 10 } },
    });
  });

  it('distribute turns on locality-weighted balancing; failover only with outlier detection', () => {
    const distribute = { localityLbSetting: { distribute: [{ from: 'us/*', to: { 'us/east/*': 80, 'us/west/*': 20 } }] } };
    expect(cluster(distribute)['commonLbConfig']).toEqual({ localityWeightedLbConfig: {} });
    const failover = { localityLbSetting: { failover: [{ from: 'us', to: 'eu' }] } };
    expect(cluster(failover)['commonLbConfig']).toEqual({});
    const withOutlier = clusterOf(policyMesh({ loadBalancer: failover, outlierDetection: { consecutive5xxErrors: 3 } }), `outbound|9080||${REVIEWS}`);
    expect(withOutlier['commonLbConfig']).toMatchObject({ localityWeightedLbConfig: {} });
    const disabled = { localityLbSetting: { enabled: false, distribute: distribute.localityLbSetting.distribute } };
    expect(cluster(disabled)['commonLbConfig']).toEqual({});
  });
});

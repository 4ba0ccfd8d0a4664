import { describe, expect, it } from 'vitest';
import { outboundClusterName, parseClusterName } from '../../../../src/xds/gen/common/cluster-names.js';

describe('cluster names', () => {
  it('builds Istio subset keys', () => {
    expect(outboundClusterName('reviews.default.svc.cluster.local', 9080)).toBe('outbound|9080||reviews.default.svc.cluster.local');
    expect(outboundClusterName('reviews.default.svc.cluster.local', 9080, 'v2')).toBe('outbound|9080|v2|reviews.default.svc.cluster.local');
  });

  it('parses what it builds', () => {
    expect(parseClusterName('outbound|9080|v2|reviews.default.svc.cluster.local')).toEqual({
      direction: 'outbound',
      port: 9080,
      subset: 'v2',
      hostname: 'reviews.default.svc.cluster.local',
    });
  });

  it('rejects names that are not subset keys', () => {
    expect(parseClusterName('BlackHoleCluster')).toBeUndefined();
    expect(parseClusterName('outbound|http||reviews')).toBeUndefined();
    expect(parseClusterName('sideways|80||reviews')).toBeUndefined();
    expect(parseClusterName('outbound|80||')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { buildLocalityLbEndpoints } from '../../../../src/xds/gen/common/locality-lb-endpoints.js';

describe('buildLocalityLbEndpoints', () => {
  it('groups endpoints per locality, sorted, with the locality weight gRPC requires', () => {
    const out = buildLocalityLbEndpoints([
      { address: '10.0.0.2', port: 80, locality: { region: 'r', zone: 'b' } },
      { address: '10.0.0.1', port: 80, locality: { region: 'r', zone: 'a' } },
      { address: '10.0.0.3', port: 80, locality: { region: 'r', zone: 'a' } },
    ]);
    expect(out.map((l) => l['locality'])).toEqual([{ region: 'r', zone: 'a' }, { region: 'r', zone: 'b' }]);
    expect(out[0]?.['loadBalancingWeight']).toEqual({ value: 2 });
    expect((out[0]?.['lbEndpoints'] as unknown[]).length).toBe(2);
  });

  it('sets endpoint weights only when given, and sums them per locality', () => {
    const [locality] = buildLocalityLbEndpoints([
      { address: '10.0.0.1', port: 80, weight: 3 },
      { address: '10.0.0.2', port: 80 },
    ]);
    const lbEndpoints = locality?.['lbEndpoints'] as Record<string, unknown>[];
    expect(lbEndpoints[0]?.['loadBalancingWeight']).toEqual({ value: 3 });
    expect(lbEndpoints[1]).not.toHaveProperty('loadBalancingWeight');
    expect(locality?.['loadBalancingWeight']).toEqual({ value: 4 });
    // gRPC clients NACK a LocalityLbEndpoints without a locality, so an unknown one is sent empty, never left out.
    expect(locality?.['locality']).toEqual({});
  });

  it('lists a duplicated address once', () => {
    const [locality] = buildLocalityLbEndpoints([
      { address: '10.0.0.1', port: 80 },
      { address: '10.0.0.1', port: 80 },
    ]);
    expect((locality?.['lbEndpoints'] as unknown[]).length).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { generators } from '../../../src/xds/gen/index.js';
import { ClusterType, EndpointType, ListenerType, RouteType, SecretType } from '../../../src/xds/proto/type-urls.js';

describe('generators', () => {
  it('serves CDS, EDS, LDS and RDS, each under its own type URL', () => {
    expect([...generators.keys()].sort()).toEqual([ClusterType, EndpointType, ListenerType, RouteType, SecretType].sort());
    for (const [typeUrl, generator] of generators) expect(generator.typeUrl).toBe(typeUrl);
  });

  it('re-runs only EDS on endpoint-only pushes', () => {
    const withEndpoints = [...generators.values()].filter((g) => g.affectedByEndpoints !== undefined).map((g) => g.typeUrl);
    expect(withEndpoints).toEqual([EndpointType]);
  });
});

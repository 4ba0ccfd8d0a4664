import { describe, expect, it } from 'vitest';
import { HeldResources } from '../../../src/xds/server/held-resources.js';
import { encodeResource, type EncodedResource } from '../../../src/xds/cache/encoded-resource.js';
import { setVersion } from '../../../src/xds/cache/set-version.js';
import { ClusterType } from '../../../src/xds/proto/type-urls.js';

const cluster = (name: string, seconds: number): EncodedResource =>
  encodeResource(ClusterType, { name, resource: { name, type: 'EDS', connectTimeout: { seconds } } });

describe('HeldResources', () => {
  it('keeps its running version equal to setVersion() of what it holds, through updates and deletions', () => {
    const held = new HeldResources();
    const truth = new Map<string, EncodedResource>();
    let seed = 7;
    const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let step = 0; step < 500; step++) {
      const name = `c${rand(40)}`;
      if (rand(4) === 0) {
        held.delete(name);
        truth.delete(name);
      } else {
        const r = cluster(name, 1 + rand(5));
        held.set(name, r);
        truth.set(name, r);
      }
      expect(held.setVersion()).toBe(setVersion(truth.values()));
    }
    held.clear();
    expect(held.setVersion()).toBe(setVersion([]));
  });

  it('changes its version when one resource changes content', () => {
    const held = new HeldResources();
    held.set('a', cluster('a', 1));
    const before = held.setVersion();
    held.set('a', cluster('a', 2));
    expect(held.setVersion()).not.toBe(before);
  });
});

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

  it('holds a shared map without copying or mutating it, overlaying later changes and folding large overlays', () => {
    const shared = new Map<string, EncodedResource>();
    for (let i = 0; i < 100; i++) shared.set(`c${i}`, cluster(`c${i}`, 1));
    const snapshotOfShared = [...shared.entries()];
    const held = new HeldResources();
    held.replaceAll(shared);
    expect(held.sharesBase(shared)).toBe(true);
    expect(held.setVersion()).toBe(setVersion(shared.values()));
    const truth = new Map(shared);
    let seed = 11;
    const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let step = 0; step < 400; step++) {
      const name = `c${rand(130)}`;
      const op = rand(5);
      if (op === 0) {
        held.delete(name);
        truth.delete(name);
      } else if (op === 1 && shared.has(name)) {
        held.set(name, shared.get(name)!); // back to the base version
        truth.set(name, shared.get(name)!);
      } else {
        const r = cluster(name, 2 + rand(4));
        held.set(name, r);
        truth.set(name, r);
      }
      expect(held.setVersion()).toBe(setVersion(truth.values()));
      expect(held.size).toBe(truth.size);
      expect(held.names().sort()).toEqual([...truth.keys()].sort());
      expect(held.versionOf(name)).toBe(truth.get(name)?.version);
    }
    expect([...shared.entries()]).toEqual(snapshotOfShared);
  });

  it('changes its version when one resource changes content', () => {
    const held = new HeldResources();
    held.set('a', cluster('a', 1));
    const before = held.setVersion();
    held.set('a', cluster('a', 2));
    expect(held.setVersion()).not.toBe(before);
  });
});

describe('HeldResources cost', () => {
  it('fills an empty held set without re-copying it on every insert', () => {
    const held = new HeldResources();
    const resources = Array.from({ length: 4000 }, (_, i) => cluster(`c${i}`, 1));
    // Count work, not time: the overlay must be built once, so names() is only materialised when asked.
    let namesCalls = 0;
    const original = held.names.bind(held);
    held.names = () => { namesCalls++; return original(); };
    for (const r of resources) held.set(r.name, r);
    expect(namesCalls).toBe(0);
    expect(held.size).toBe(4000);
    expect(held.setVersion()).toBe(setVersion(resources));
  });
});

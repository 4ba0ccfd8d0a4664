/**
 * Incremental rebuilds (buildSnapshot with the previous snapshot and the
 * ChangeSet) must give exactly what a rebuild from scratch gives, and must
 * reuse what did not change by reference. Driven through the real
 * ConfigStore with a seeded sequence of random edits over a two-namespace
 * mesh, so every kind's path is taken many times.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ConfigObject } from '../../src/config/config-object.js';
import { loadConfigText } from '../../src/config/load-config-text.js';
import { ConfigStore } from '../../src/config/store.js';
import { buildSnapshot } from '../../src/model/build-snapshot.js';
import { serializeSnapshot } from '../../src/model/serialize-snapshot.js';
import { DEFAULT_MESH_CONFIG, type MeshSnapshot } from '../../src/model/types.js';

const MESH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/meshes/two-namespaces');
const mesh = DEFAULT_MESH_CONFIG;

function fixtureObjects(): ConfigObject[] {
  return readdirSync(MESH_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) => loadConfigText(file, readFileSync(path.join(MESH_DIR, file), 'utf8')).objects);
}

const keyOf = (o: ConfigObject): string => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;

/** A small deterministic PRNG (mulberry32), so a failure names its seed and replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A changed copy of an object: what a user or a controller would plausibly edit in it. */
function edited(object: ConfigObject, next: () => number): ConfigObject {
  const content = JSON.parse(JSON.stringify(object.content)) as Record<string, any>;
  const labels = { ...object.metadata.labels };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  switch (object.kind) {
    case 'EndpointSlice':
      for (const e of content['endpoints'] ?? []) e.conditions = { ready: next() < 0.5 };
      if (next() < 0.3) content['endpoints'] = (content['endpoints'] ?? []).slice(0, 1);
      break;
    case 'Pod':
      labels['version'] = pick(['v1', 'v2', 'v3']);
      break;
    case 'Service':
      content['spec'].ports[0].name = pick(['http', 'grpc', 'tcp-x', 'http-web']);
      break;
    case 'WorkloadEntry':
      content['spec'].labels = { ...content['spec'].labels, version: pick(['v1', 'v3']) };
      break;
    case 'VirtualService':
      content['spec'].hosts = [pick(['reviews', '*.bookstore.svc.cluster.local', 'reviews.bookstore.svc.cluster.local'])];
      break;
    case 'DestinationRule':
      content['spec'].exportTo = [pick(['.', '*', 'shop', 'bookstore'])];
      break;
    case 'ServiceEntry':
      content['spec'].endpoints = [{ address: pick(['192.0.2.10', '192.0.2.11']) }];
      break;
    case 'ConfigMap':
    case 'Namespace':
      labels['touched'] = String(next());
      break;
    default:
      content['spec'] = { ...content['spec'], selector: { matchLabels: { app: pick(['reviews', 'storefront']) } } };
  }
  // The store and the model read metadata from both places; a real object keeps them equal.
  content['metadata'] = { ...content['metadata'], labels };
  return { ...object, metadata: { ...object.metadata, labels }, content };
}

describe('incremental snapshot rebuilds', () => {
  const all = fixtureObjects();

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`equal a full rebuild after every one of 60 random edits (seed ${seed})`, () => {
      const next = random(seed);
      const store = new ConfigStore();
      const current = new Map(all.map((o) => [keyOf(o), o]));
      store.update(new Map([...current].map(([key, o]) => [key, [o]])));
      let snapshot: MeshSnapshot = buildSnapshot({ mesh, objects: store.byKind() });
      for (let step = 0; step < 60; step++) {
        const key = [...current.keys()][Math.floor(next() * current.size)] as string;
        const original = all.find((o) => keyOf(o) === key) as ConfigObject;
        const roll = next();
        // Remove (and later restore) an object, or edit it.
        const replacement = roll < 0.2 ? null : roll < 0.3 ? [original] : [edited(current.get(key) ?? original, next)];
        const changes = store.update(new Map([[key, replacement]]));
        if (replacement) current.set(key, replacement[0] as ConfigObject);
        const incremental = buildSnapshot({ mesh, objects: store.byKind() }, snapshot, changes);
        const fresh = buildSnapshot({ mesh, objects: store.byKind() });
        expect(serializeSnapshot(incremental, { contentOnly: true }), `seed ${seed} step ${step}: ${key}`).toEqual(serializeSnapshot(fresh, { contentOnly: true }));
        snapshot = incremental;
      }
    });
  }

  it('an endpoint-only change keeps services, config lists and their indexes by reference, and only the touched host list changes', () => {
    const store = new ConfigStore();
    store.update(new Map(all.map((o) => [keyOf(o), [o]])));
    const before = buildSnapshot({ mesh, objects: store.byKind() });
    const slice = all.find((o) => o.kind === 'EndpointSlice' && o.metadata.namespace === 'shop') as ConfigObject;
    const flipped = { ...slice, content: { ...slice.content, endpoints: [{ addresses: ['10.244.2.21'], conditions: { ready: false } }] } };
    const changes = store.update(new Map([[keyOf(slice), [flipped as ConfigObject]]]));
    const after = buildSnapshot({ mesh, objects: store.byKind() }, before, changes);
    expect(after.services).toBe(before.services);
    expect(after.virtualServices).toBe(before.virtualServices);
    expect(after.destinationRules).toBe(before.destinationRules);
    expect(after.indexes.servicesByNamespace).toBe(before.indexes.servicesByNamespace);
    expect(after.endpoints).not.toBe(before.endpoints);
    expect(after.endpoints.get('storefront.shop.svc.cluster.local')).not.toBe(before.endpoints.get('storefront.shop.svc.cluster.local'));
    expect(after.endpoints.get('reviews.bookstore.svc.cluster.local')).toBe(before.endpoints.get('reviews.bookstore.svc.cluster.local'));
    expect(after.endpoints.get('api.payments.example')).toBe(before.endpoints.get('api.payments.example'));
  });

  it('a VirtualService change rebuilds the VirtualService list and index and keeps the rest', () => {
    const store = new ConfigStore();
    store.update(new Map(all.map((o) => [keyOf(o), [o]])));
    const before = buildSnapshot({ mesh, objects: store.byKind() });
    const vs = all.find((o) => o.kind === 'VirtualService') as ConfigObject;
    const changes = store.update(new Map([[keyOf(vs), [edited(vs, () => 0.5)]]]));
    const after = buildSnapshot({ mesh, objects: store.byKind() }, before, changes);
    expect(after.virtualServices).not.toBe(before.virtualServices);
    expect(after.endpoints).toBe(before.endpoints);
    expect(after.destinationRules).toBe(before.destinationRules);
    expect(after.sidecars).toBe(before.sidecars);
    expect(after.indexes.destinationRuleFor('shop', 'reviews.bookstore.svc.cluster.local', 'bookstore')).toBe(
      before.indexes.destinationRuleFor('shop', 'reviews.bookstore.svc.cluster.local', 'bookstore'),
    );
  });

  it('a change of nothing a proxy sees (a Namespace label) returns the same parts', () => {
    const store = new ConfigStore();
    store.update(new Map(all.map((o) => [keyOf(o), [o]])));
    const before = buildSnapshot({ mesh, objects: store.byKind() });
    const ns = all.find((o) => o.kind === 'Namespace') as ConfigObject;
    const changes = store.update(new Map([[keyOf(ns), [edited(ns, () => 0.5)]]]));
    const after = buildSnapshot({ mesh, objects: store.byKind() }, before, changes);
    for (const field of ['services', 'endpoints', 'virtualServices', 'destinationRules', 'gateways', 'sidecars', 'peerAuthentications'] as const) {
      expect(after[field], field).toBe(before[field]);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { KindCache, type KindDelta } from '../../../src/config/kubernetes/kind-cache.js';
import { KUBE_KINDS, type KubeKind } from '../../../src/config/kubernetes/kind-table.js';

const serviceKind: KubeKind = KUBE_KINDS.find((k) => k.kind === 'Service')!;
const vsKind: KubeKind = KUBE_KINDS.find((k) => k.kind === 'VirtualService')!;

const service = (name: string, resourceVersion: string, port = 80): unknown => ({
  metadata: { name, namespace: 'ns', resourceVersion },
  spec: { ports: [{ port }] },
});
const virtualService = (hosts: string[], resourceVersion: string): unknown => ({
  metadata: { name: 'vs', namespace: 'ns', resourceVersion },
  spec: { hosts, http: [{ route: [{ destination: { host: 'reviews' } }] }] },
});

function summary(delta: KindDelta): Record<string, string> {
  return Object.fromEntries([...delta].map(([key, entry]) => [key, entry.object ? `rv ${entry.object.metadata.resourceVersion}` : entry.errors.length > 0 ? 'invalid' : 'gone']));
}

describe('KindCache', () => {
  it('converts an object once per resourceVersion', () => {
    const cache = new KindCache(serviceKind);
    const first = new Map() as KindDelta;
    cache.upsert(service('a', '1'), first);
    expect(summary(first)).toEqual({ 'Service/ns/a': 'rv 1' });
    const again = new Map() as KindDelta;
    cache.upsert(service('a', '1'), again);
    expect(again.size).toBe(0);
    cache.upsert(service('a', '2', 81), again);
    expect(summary(again)).toEqual({ 'Service/ns/a': 'rv 2' });
  });

  it('a re-list removes what it no longer holds (deleted while disconnected) and leaves unchanged objects out of the delta', () => {
    const cache = new KindCache(serviceKind);
    cache.replaceAll([service('a', '1'), service('b', '2'), service('c', '3')], new Map());
    const delta = new Map() as KindDelta;
    cache.replaceAll([service('a', '1'), service('c', '5'), service('d', '6')], delta);
    expect(summary(delta)).toEqual({ 'Service/ns/b': 'gone', 'Service/ns/c': 'rv 5', 'Service/ns/d': 'rv 6' });
    expect(cache.size).toBe(3);
  });

  it('an invalid version replaces a valid one with nothing (and its errors); a fixed version comes back', () => {
    const cache = new KindCache(vsKind);
    const delta = new Map() as KindDelta;
    cache.upsert(virtualService(['reviews'], '1'), delta);
    cache.upsert(virtualService(['*'], '2'), delta);
    expect(summary(delta)).toEqual({ 'VirtualService/ns/vs': 'invalid' });
    expect(delta.get('VirtualService/ns/vs')?.errors[0]?.path).toBe('spec.hosts[0]');
    const fixed = new Map() as KindDelta;
    cache.upsert(virtualService(['ratings'], '3'), fixed);
    expect(summary(fixed)).toEqual({ 'VirtualService/ns/vs': 'rv 3' });
  });

  it('removing an unknown object or one without a name changes nothing; clear() removes everything', () => {
    const cache = new KindCache(serviceKind);
    const delta = new Map() as KindDelta;
    expect(cache.remove(service('never', '1'), delta)).toBe(true);
    expect(cache.remove({ metadata: {} }, delta)).toBe(false);
    expect(cache.replaceAll([service('a', '1'), { metadata: { namespace: 'ns' } }], delta)).toBe(1);
    const cleared = new Map() as KindDelta;
    cache.clear(cleared);
    expect(summary(cleared)).toEqual({ 'Service/ns/a': 'gone' });
    expect(cache.size).toBe(0);
  });
});

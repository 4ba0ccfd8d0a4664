import { describe, expect, it } from 'vitest';
import type { ConfigObject } from '../../src/config/config-object.js';
import { loadConfigText } from '../../src/config/load-config-text.js';
import { ConfigStore } from '../../src/config/store.js';

function objects(file: string, yaml: string): readonly ConfigObject[] {
  const loaded = loadConfigText(file, yaml);
  expect(loaded.errors).toEqual([]);
  return loaded.objects;
}

const service = (name: string, port = 80): string => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {ports: [{port: ${port}}]}\n`;
const dr = (name: string): string => `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: ${name}}\nspec: {host: ${name}}\n`;

describe('ConfigStore', () => {
  it('keys objects Kind/namespace/name and reports additions with their kinds', () => {
    const store = new ConfigStore();
    const changes = store.replaceOrigin('a.yaml', objects('a.yaml', `${service('s')}---\n${dr('s')}`));
    expect([...changes.added]).toEqual(['Service/default/s', 'DestinationRule/default/s']);
    expect([...changes.kinds].sort()).toEqual(['DestinationRule', 'Service']);
    expect(store.get('Service/default/s')?.metadata.name).toBe('s');
  });

  it('does not count re-applying an identical object as a change', () => {
    const store = new ConfigStore();
    store.replaceOrigin('a.yaml', objects('a.yaml', service('s')));
    const changes = store.replaceOrigin('a.yaml', objects('a.yaml', service('s')));
    expect(changes.added.size + changes.updated.size + changes.removed.size).toBe(0);
    expect(changes.kinds.size).toBe(0);
  });

  it('reports an edited object as updated and a dropped one as removed', () => {
    const store = new ConfigStore();
    store.replaceOrigin('a.yaml', objects('a.yaml', `${service('s')}---\n${service('t')}`));
    const changes = store.replaceOrigin('a.yaml', objects('a.yaml', service('s', 81)));
    expect([...changes.updated]).toEqual(['Service/default/s']);
    expect([...changes.removed]).toEqual(['Service/default/t']);
    expect(store.get('Service/default/t')).toBeUndefined();
  });

  it('moving an object between files is no change', () => {
    const store = new ConfigStore();
    store.update(new Map([['a.yaml', objects('a.yaml', service('s'))], ['b.yaml', []]]));
    const changes = store.update(new Map([['a.yaml', []], ['b.yaml', objects('b.yaml', service('s'))]]));
    expect(changes.added.size + changes.updated.size + changes.removed.size).toBe(0);
    expect(store.get('Service/default/s')?.source).toBe('b.yaml#1');
  });

  it('keeps the first definition of a key and reports the later one; the later takes over when the first goes', () => {
    const store = new ConfigStore();
    store.update(new Map([['a.yaml', objects('a.yaml', service('s', 80))], ['b.yaml', objects('b.yaml', service('s', 90))]]));
    expect(store.get('Service/default/s')?.source).toBe('a.yaml#1');
    expect(store.conflicts()).toEqual([
      expect.objectContaining({ source: 'b.yaml#1', kind: 'Service', message: 'Service/default/s is already defined in a.yaml#1; this definition is ignored' }),
    ]);
    // Editing the winner keeps it the winner.
    store.replaceOrigin('a.yaml', objects('a.yaml', service('s', 81)));
    expect(store.get('Service/default/s')?.source).toBe('a.yaml#1');
    const changes = store.removeOrigin('a.yaml');
    expect([...changes.updated]).toEqual(['Service/default/s']);
    expect(store.get('Service/default/s')?.source).toBe('b.yaml#1');
    expect(store.conflicts()).toEqual([]);
  });

  it('reports a key defined twice in one file on the second document', () => {
    const store = new ConfigStore();
    store.replaceOrigin('a.yaml', objects('a.yaml', `${service('s', 80)}---\n${service('s', 90)}`));
    expect(store.size).toBe(1);
    expect(store.conflicts().map((c) => c.source)).toEqual(['a.yaml#2']);
  });
});

describe('ConfigStore.byKind', () => {
  it('groups the visible objects by kind and namespace and follows removals', () => {
    const { objects } = loadConfigText('x.yaml', [
      'apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: one}\nspec: {ports: [{port: 80}]}',
      'apiVersion: v1\nkind: Service\nmetadata: {name: b, namespace: two}\nspec: {ports: [{port: 80}]}',
    ].join('\n---\n'));
    const store = new ConfigStore();
    store.replaceOrigin('x.yaml', objects);
    const names = (kind: string, ns?: string): string[] =>
      [...(ns === undefined ? store.byKind().ofKind(kind) : store.byKind().ofKindInNamespace(kind, ns))].map((o) => o.metadata.name).sort();
    expect(names('Service')).toEqual(['a', 'b']);
    expect(names('Service', 'two')).toEqual(['b']);
    expect(names('Pod')).toEqual([]);
    store.replaceOrigin('x.yaml', objects.slice(0, 1));
    expect(names('Service')).toEqual(['a']);
    expect(names('Service', 'two')).toEqual([]);
  });
});

/** What one update of the config store changed, by object key. */
import type { ConfigKey } from './config-object.js';

export interface ChangeSet {
  readonly added: ReadonlySet<ConfigKey>;
  readonly updated: ReadonlySet<ConfigKey>;
  readonly removed: ReadonlySet<ConfigKey>;
  /** Kinds of every key above, so consumers can tell endpoint-only changes from config changes cheaply. */
  readonly kinds: ReadonlySet<string>;
}

export const EMPTY_CHANGE_SET: ChangeSet = Object.freeze({
  added: new Set<ConfigKey>(),
  updated: new Set<ConfigKey>(),
  removed: new Set<ConfigKey>(),
  kinds: new Set<string>(),
});

export function isEmptyChangeSet(changes: ChangeSet): boolean {
  return changes.added.size === 0 && changes.updated.size === 0 && changes.removed.size === 0;
}

export function changedKeys(changes: ChangeSet): ConfigKey[] {
  return [...changes.added, ...changes.updated, ...changes.removed];
}

/** The kind part of "Kind/namespace/name". */
export function kindOfKey(key: ConfigKey): string {
  const slash = key.indexOf('/');
  return slash >= 0 ? key.slice(0, slash) : key;
}

/**
 * Two successive change sets as one: used when a burst of changes is
 * debounced. A key both added and removed stays in both; consumers compare
 * snapshots, so the union only has to cover every key that moved.
 */
export function mergeChangeSets(a: ChangeSet, b: ChangeSet): ChangeSet {
  return {
    added: new Set([...a.added, ...b.added]),
    updated: new Set([...a.updated, ...b.updated]),
    removed: new Set([...a.removed, ...b.removed]),
    kinds: new Set([...a.kinds, ...b.kinds]),
  };
}

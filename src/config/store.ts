/**
 * The current config objects, keyed "Kind/namespace/name", fed by sources
 * that each own a set of "origins" (the directory source: one origin per
 * file; a cluster source could use one per object). An update replaces whole
 * origins and reports what became visible, changed or went away.
 *
 * When two origins define the same key, the origin registered first wins
 * (for a directory: the file that sorts first at start-up, then the file that
 * defined it first); the other definition is reported as a conflict and
 * takes over if the winner goes away. Re-applying an object with equal
 * content is not a change.
 */
import { EMPTY_CHANGE_SET, type ChangeSet } from './change-set.js';
import type { ConfigError } from './config-error.js';
import { keyOf, type ConfigKey, type ConfigObject } from './config-object.js';
import { deepEqual } from './deep-equal.js';
import { KindNamespaceIndex, type ObjectsByKind } from './objects-by-kind.js';

interface Definition {
  /** Registration order of the origin: lower wins. */
  readonly rank: number;
  /** Position inside the origin: an origin defining a key twice keeps its first. */
  readonly index: number;
  readonly object: ConfigObject;
}

interface Origin {
  readonly rank: number;
  readonly keys: readonly ConfigKey[];
}

/** origin → its complete new object list, or null to drop the origin. */
export type StoreBatch = ReadonlyMap<string, readonly ConfigObject[] | null>;

export class ConfigStore {
  private readonly origins = new Map<string, Origin>();
  private readonly definitions = new Map<ConfigKey, Definition[]>();
  private readonly visible = new Map<ConfigKey, ConfigObject>();
  private readonly visibleByKind = new KindNamespaceIndex();
  private readonly conflicted = new Set<ConfigKey>();
  private nextRank = 0;

  /** Applies every origin in the batch, then reports the net change (one ChangeSet for the batch). */
  update(batch: StoreBatch): ChangeSet {
    const touched = new Set<ConfigKey>();
    for (const [originName, objects] of batch) {
      const previous = this.origins.get(originName);
      if (previous) {
        for (const key of previous.keys) {
          this.dropDefinitions(key, previous.rank);
          touched.add(key);
        }
      }
      if (objects === null) {
        this.origins.delete(originName);
        continue;
      }
      const rank = previous?.rank ?? this.nextRank++;
      const keys: ConfigKey[] = [];
      objects.forEach((object, index) => {
        const key = keyOf(object);
        keys.push(key);
        touched.add(key);
        const list = this.definitions.get(key) ?? [];
        list.push({ rank, index, object });
        list.sort((a, b) => a.rank - b.rank || a.index - b.index);
        this.definitions.set(key, list);
      });
      this.origins.set(originName, { rank, keys });
    }
    return this.settle(touched);
  }

  replaceOrigin(origin: string, objects: readonly ConfigObject[]): ChangeSet {
    return this.update(new Map([[origin, objects]]));
  }

  removeOrigin(origin: string): ChangeSet {
    return this.origins.has(origin) ? this.update(new Map([[origin, null]])) : EMPTY_CHANGE_SET;
  }

  hasOrigin(origin: string): boolean {
    return this.origins.has(origin);
  }

  get(key: ConfigKey): ConfigObject | undefined {
    return this.visible.get(key);
  }

  /** The winning definition of every key. The map is live: copy it to keep a view across updates. */
  objects(): ReadonlyMap<ConfigKey, ConfigObject> {
    return this.visible;
  }

  /** The same objects grouped by kind and namespace; live, like objects(). */
  byKind(): ObjectsByKind {
    return this.visibleByKind;
  }

  get size(): number {
    return this.visible.size;
  }

  /** Every definition that lost to an earlier one for the same key, as errors on the losing document. */
  conflicts(): ConfigError[] {
    const errors: ConfigError[] = [];
    for (const key of this.conflicted) {
      const [winner, ...losers] = this.definitions.get(key) ?? [];
      if (!winner) continue;
      for (const loser of losers) {
        const { kind, metadata, source } = loser.object;
        errors.push({
          source,
          kind,
          namespace: metadata.namespace,
          name: metadata.name,
          message: `${key} is already defined in ${winner.object.source}; this definition is ignored`,
        });
      }
    }
    return errors;
  }

  private dropDefinitions(key: ConfigKey, rank: number): void {
    const remaining = (this.definitions.get(key) ?? []).filter((d) => d.rank !== rank);
    if (remaining.length > 0) this.definitions.set(key, remaining);
    else this.definitions.delete(key);
  }

  private settle(touched: ReadonlySet<ConfigKey>): ChangeSet {
    const added = new Set<ConfigKey>();
    const updated = new Set<ConfigKey>();
    const removed = new Set<ConfigKey>();
    const kinds = new Set<string>();
    for (const key of touched) {
      const list = this.definitions.get(key);
      if (list && list.length > 1) this.conflicted.add(key);
      else this.conflicted.delete(key);
      const before = this.visible.get(key);
      const after = list?.[0]?.object;
      if (!after) {
        if (!before) continue;
        this.visible.delete(key);
        this.visibleByKind.delete(key, before);
        removed.add(key);
        kinds.add(before.kind);
        continue;
      }
      // The new object replaces the old even when equal, so its source (file#document) stays current.
      this.visible.set(key, after);
      this.visibleByKind.set(key, after);
      if (!before) added.add(key);
      else if (!deepEqual(before.content, after.content)) updated.add(key);
      else continue;
      kinds.add(after.kind);
    }
    return { added, updated, removed, kinds };
  }
}

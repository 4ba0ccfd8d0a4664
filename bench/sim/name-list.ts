/**
 * Resource-name sets that thousands of simulated clients can share. Every
 * client receives the same responses, so per-client copies of ~1,000 names
 * per type would cost the simulator more CPU and memory than the server
 * spends producing them. Clients hold references to shared, immutable
 * NameLists and only copy (CopyOnWriteNameSet) when their view diverges.
 */
import { encodeRepeatedString } from './protowire.js';

let nextListId = 1;

/** An immutable list of resource names with a lookup set and a stable id for memo keys. */
export class NameList {
  readonly id = nextListId++;
  readonly set: ReadonlySet<string>;
  private encoded = new Map<number, Buffer>();
  private hostHits = new Map<string, boolean>();

  constructor(readonly names: readonly string[]) {
    this.set = new Set(names);
  }

  get size(): number {
    return this.set.size;
  }

  /** The names as repeated string field `fieldNumber`, encoded once per list. */
  encodedAs(fieldNumber: number): Buffer {
    let bytes = this.encoded.get(fieldNumber);
    if (!bytes) {
      bytes = encodeRepeatedString(fieldNumber, this.names);
      this.encoded.set(fieldNumber, bytes);
    }
    return bytes;
  }

  /**
   * Whether a name is Istio-style "...|<host>" (outbound|8080|v1|host), i.e.
   * the list carries configuration for that service host.
   */
  mentionsHost(host: string): boolean {
    let hit = this.hostHits.get(host);
    if (hit === undefined) {
      const suffix = `|${host}`;
      hit = this.names.some((n) => n.endsWith(suffix));
      this.hostHits.set(host, hit);
    }
    return hit;
  }
}

export const EMPTY_NAMES = new NameList([]);

const coverageMemo = new Map<string, boolean>();

function listCovers(have: NameList, want: NameList): boolean {
  if (have === want || want.size === 0) return true;
  const key = `${have.id}>${want.id}`;
  let result = coverageMemo.get(key);
  if (result === undefined) {
    result = want.names.every((n) => have.set.has(n));
    coverageMemo.set(key, result);
  }
  return result;
}

/**
 * A client's set of names: a shared NameList until the client's view stops
 * matching any shared list, then a private Set. "Coverage" checks against a
 * shared list are memoised while the view is still shared.
 */
export class CopyOnWriteNameSet {
  private shared: NameList = EMPTY_NAMES;
  private own: Set<string> | undefined;

  get size(): number {
    return this.own ? this.own.size : this.shared.size;
  }

  has(name: string): boolean {
    return this.own ? this.own.has(name) : this.shared.set.has(name);
  }

  /** Replaces the whole set (SotW root types: each response is the complete state). */
  replace(list: NameList): void {
    this.shared = list;
    this.own = undefined;
  }

  /** Adds names; stays shared when they are already present, or when the set was empty. */
  addAll(list: NameList): void {
    if (this.own) {
      for (const n of list.names) this.own.add(n);
      return;
    }
    if (this.shared.size === 0) {
      this.shared = list;
      return;
    }
    if (listCovers(this.shared, list)) return;
    this.materialise();
    for (const n of list.names) this.own!.add(n);
  }

  deleteAll(names: readonly string[]): void {
    if (names.length === 0) return;
    if (!this.own && !names.some((n) => this.shared.set.has(n))) return;
    this.materialise();
    for (const n of names) this.own!.delete(n);
  }

  /** True when every name of `want` is in this set. */
  covers(want: NameList): boolean {
    if (!this.own) return listCovers(this.shared, want);
    for (const n of want.names) if (!this.own.has(n)) return false;
    return true;
  }

  /** The names of `list` that are not in this set (for delta subscribe requests). */
  missingFrom(list: NameList): string[] {
    if (!this.own && listCovers(this.shared, list)) return [];
    return list.names.filter((n) => !this.has(n));
  }

  /** The current names as a NameList (shared when possible, so encoding is memoised). */
  toList(): NameList {
    if (!this.own) return this.shared;
    this.shared = new NameList([...this.own].sort());
    this.own = undefined;
    return this.shared;
  }

  private materialise(): void {
    this.own = new Set(this.shared.names);
  }
}

/** Set equality of two shared lists (memoised). */
export function sameNames(a: NameList, b: NameList): boolean {
  return a === b || (a.size === b.size && listCovers(a, b));
}

/**
 * What one client holds of one type, as far as the server knows: name →
 * version, and the running digest of it (the SotW version_info).
 *
 * Most clients hold exactly a set the cache already has: the wildcard set of
 * their generator key, or the resources of a subscription many proxies
 * share. So the held state is that shared map as a base, plus a small
 * per-connection overlay for what partial pushes changed since. Copying a
 * thousand entries into every connection was most of the server's memory per
 * proxy.
 */
import { formatSetVersion } from '../cache/set-version.js';

export interface HeldVersion {
  readonly version: string;
  /** Present for resources this server sent (see EncodedResource.digest); absent for versions a Delta client reported. */
  readonly digest?: readonly [number, number];
}

interface Digest {
  readonly count: number;
  readonly lo: number;
  readonly hi: number;
}

const EMPTY: ReadonlyMap<string, HeldVersion> = new Map();
const baseDigests = new WeakMap<ReadonlyMap<string, HeldVersion>, Digest>();

function digestOf(map: ReadonlyMap<string, HeldVersion>): Digest {
  let d = baseDigests.get(map);
  if (!d) {
    let lo = 0;
    let hi = 0;
    for (const held of map.values()) {
      if (!held.digest) continue;
      lo = (lo + held.digest[0]) >>> 0;
      hi = (hi + held.digest[1]) >>> 0;
    }
    d = { count: map.size, lo, hi };
    baseDigests.set(map, d);
  }
  return d;
}

/** An overlay this large relative to the base is folded into a map of the connection's own. */
const COMPACT_RATIO = 0.5;

export class HeldResources {
  private base: ReadonlyMap<string, HeldVersion> = EMPTY;
  /** name → held version, or null for "held in base, but no longer". */
  private overlay: Map<string, HeldVersion | null> | undefined;
  private count = 0;
  private lo = 0;
  private hi = 0;

  get size(): number {
    return this.count;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  versionOf(name: string): string | undefined {
    return this.get(name)?.version;
  }

  names(): string[] {
    const out: string[] = [];
    for (const name of this.base.keys()) if (this.overlay?.get(name) !== null) out.push(name);
    if (this.overlay) for (const [name, held] of this.overlay) if (held && !this.base.has(name)) out.push(name);
    return out;
  }

  /** Makes `shared` (not copied, never mutated) exactly what the client holds. */
  replaceAll(shared: ReadonlyMap<string, HeldVersion>): void {
    this.base = shared;
    this.overlay = undefined;
    const d = digestOf(shared);
    this.count = d.count;
    this.lo = d.lo;
    this.hi = d.hi;
  }

  /**
   * Goes back to holding `shared` by reference when the held content equals
   * it (same count and digest), as it does after a push has been applied.
   */
  reshare(shared: ReadonlyMap<string, HeldVersion>): void {
    if (this.base === shared && !this.overlay?.size) return;
    const d = digestOf(shared);
    if (d.count === this.count && d.lo === this.lo && d.hi === this.hi) this.replaceAll(shared);
  }

  set(name: string, held: HeldVersion): void {
    this.subtract(this.get(name));
    this.add(held);
    if (this.base.get(name) === held) this.overlay?.delete(name);
    else (this.overlay ??= new Map()).set(name, held);
    this.compactIfLarge();
  }

  delete(name: string): void {
    const held = this.get(name);
    if (held === undefined) return;
    this.subtract(held);
    if (this.base.has(name)) (this.overlay ??= new Map()).set(name, null);
    else this.overlay?.delete(name);
    this.compactIfLarge();
  }

  clear(): void {
    this.replaceAll(EMPTY);
  }

  /** The set version (see set-version.ts) of everything held; equals setVersion() of the same resources. */
  setVersion(): string {
    return formatSetVersion(this.count, this.lo, this.hi);
  }

  /** Whether the held state is exactly `shared` (used by tests and debug output). */
  sharesBase(shared: ReadonlyMap<string, HeldVersion>): boolean {
    return this.base === shared && (this.overlay === undefined || this.overlay.size === 0);
  }

  private get(name: string): HeldVersion | undefined {
    const over = this.overlay?.get(name);
    if (over !== undefined) return over ?? undefined;
    return this.base.get(name);
  }

  private add(held: HeldVersion): void {
    this.count++;
    if (!held.digest) return;
    this.lo = (this.lo + held.digest[0]) >>> 0;
    this.hi = (this.hi + held.digest[1]) >>> 0;
  }

  private subtract(held: HeldVersion | undefined): void {
    if (held === undefined) return;
    this.count--;
    if (!held.digest) return;
    this.lo = (this.lo - held.digest[0]) >>> 0;
    this.hi = (this.hi - held.digest[1]) >>> 0;
  }

  private compactIfLarge(): void {
    // With nothing shared underneath, the overlay already is the connection's own map: folding it would
    // copy it again on every insert (quadratic while a first response fills it).
    if (this.base.size === 0) return;
    if (!this.overlay || this.overlay.size <= 16 || this.overlay.size < this.base.size * COMPACT_RATIO) return;
    const own = new Map<string, HeldVersion>();
    for (const name of this.names()) own.set(name, this.get(name)!);
    this.base = own;
    this.overlay = undefined;
    baseDigests.set(own, { count: this.count, lo: this.lo, hi: this.hi });
  }
}

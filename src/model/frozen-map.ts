/**
 * A Map that cannot be changed once built: Object.freeze does not stop
 * Map.set, and snapshots are shared by every connection.
 */
export class FrozenMap<K, V> extends Map<K, V> {
  private readonly sealed: boolean;

  constructor(entries: Iterable<readonly [K, V]>) {
    super(entries);
    this.sealed = true;
    Object.freeze(this);
  }

  override set(key: K, value: V): this {
    // Map's constructor calls set() before `sealed` is assigned.
    if (this.sealed) throw new TypeError('FrozenMap cannot be changed');
    return super.set(key, value);
  }

  override delete(): boolean {
    throw new TypeError('FrozenMap cannot be changed');
  }

  override clear(): void {
    throw new TypeError('FrozenMap cannot be changed');
  }
}

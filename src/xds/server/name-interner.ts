/**
 * One shared copy of each subscribed resource name. Thousands of proxies
 * subscribe to the same cluster names, and each decoded request would
 * otherwise keep its own copy of every string for as long as the stream
 * lives. Bounded: past `limit` distinct names it starts over, which only
 * costs sharing, never correctness.
 */
export class NameInterner {
  private names = new Map<string, string>();

  constructor(private readonly limit = 500_000) {}

  intern(name: string): string {
    const known = this.names.get(name);
    if (known !== undefined) return known;
    if (this.names.size >= this.limit) this.names = new Map();
    this.names.set(name, name);
    return name;
  }
}

/**
 * One shared, immutable set per distinct subscription: sidecars with the
 * same config subscribe to the same thousand EDS names, and the cache
 * memoizes resource lookups by set identity. Bounded like NameInterner.
 */
export class SubscriptionInterner {
  private sets = new Map<string, ReadonlySet<string>>();

  constructor(private readonly limit = 50_000) {}

  intern(key: string, build: () => ReadonlySet<string>): ReadonlySet<string> {
    const known = this.sets.get(key);
    if (known) return known;
    if (this.sets.size >= this.limit) this.sets = new Map();
    const made = build();
    this.sets.set(key, made);
    return made;
  }
}

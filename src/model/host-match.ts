/**
 * Istio host matching for config hosts (VirtualService hosts,
 * DestinationRule host) against service hosts: exact, or a leading "*." /
 * "*" wildcard that matches any suffix. The most specific match is the exact
 * one, else the longest matching wildcard (Istio's MostSpecificHostMatch).
 */
export function configHostMatches(configHost: string, serviceHost: string): boolean {
  if (configHost === serviceHost || configHost === '*') return true;
  if (configHost.startsWith('*')) return serviceHost.endsWith(configHost.slice(1));
  return false;
}

export function isWildcardHost(host: string): boolean {
  return host.startsWith('*');
}

/** Values keyed by exact host and by wildcard host, answering "most specific match". */
export class HostTable<V> {
  private readonly exact = new Map<string, V>();
  /** Longest first, so the first match is the most specific; insertion order among equal lengths. */
  private wildcards: [string, V][] = [];
  private sorted = true;

  /** Keeps the first value given for a host. */
  addIfAbsent(host: string, value: V): void {
    if (isWildcardHost(host)) {
      if (this.wildcards.some(([h]) => h === host)) return;
      this.wildcards.push([host, value]);
      this.sorted = false;
    } else if (!this.exact.has(host)) {
      this.exact.set(host, value);
    }
  }

  get(host: string): V | undefined {
    return isWildcardHost(host) ? this.wildcards.find(([h]) => h === host)?.[1] : this.exact.get(host);
  }

  mostSpecific(hostname: string): V | undefined {
    const exact = this.exact.get(hostname);
    if (exact !== undefined) return exact;
    if (!this.sorted) {
      // A stable sort keeps insertion (config) order among wildcards of one length.
      this.wildcards.sort(([a], [b]) => b.length - a.length);
      this.sorted = true;
    }
    for (const [host, value] of this.wildcards) if (configHostMatches(host, hostname)) return value;
    return undefined;
  }

  values(): Iterable<V> {
    return [...this.exact.values(), ...this.wildcards.map(([, v]) => v)];
  }
}

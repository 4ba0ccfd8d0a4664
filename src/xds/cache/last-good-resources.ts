/**
 * Per generator key, the last version of each resource that encoded and
 * passed validation. When a new version of a resource is invalid, this is
 * what is served instead: leaving it out would, for LDS and CDS in SotW
 * (where a response is the complete set), delete it at the proxy.
 *
 * It outlives the cache's per-snapshot entries, and forgets a name once the
 * generator stops producing it, and a key once no proxy used it for a whole
 * snapshot.
 */
import type { EncodedResource } from './encoded-resource.js';

export class LastGoodResources {
  private byKey = new Map<string, Map<string, EncodedResource>>();

  /** The last good resources of one generator key, to read and update during a generation. */
  forKey(key: string): Map<string, EncodedResource> {
    let resources = this.byKey.get(key);
    if (!resources) {
      resources = new Map();
      this.byKey.set(key, resources);
    }
    return resources;
  }

  /** A generation's outcome for `key`: `produced` names exist; of `asked` (undefined: all), the others no longer do. */
  settle(key: string, asked: ReadonlySet<string> | undefined, produced: ReadonlySet<string>): void {
    const resources = this.byKey.get(key);
    if (!resources) return;
    for (const name of asked ?? resources.keys()) {
      if (!produced.has(name)) resources.delete(name);
    }
  }

  /** Keeps only the keys in `inUse`. */
  retainKeys(inUse: Iterable<string>): void {
    const kept = new Map<string, Map<string, EncodedResource>>();
    for (const key of inUse) {
      const resources = this.byKey.get(key);
      if (resources) kept.set(key, resources);
    }
    this.byKey = kept;
  }
}

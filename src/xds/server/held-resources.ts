/**
 * What one client holds of one type, as far as the server knows: name →
 * version. It also keeps a running sum of the held resources' digests, so the
 * SotW version_info of "everything this client holds" is available in O(1)
 * after a partial (EDS/RDS) push instead of re-summing every subscription.
 */
import { formatSetVersion } from '../cache/set-version.js';

export interface HeldVersion {
  readonly version: string;
  /** Present for resources this server sent (see EncodedResource.digest); absent for versions a Delta client reported. */
  readonly digest?: readonly [number, number];
}

export class HeldResources {
  private readonly byName = new Map<string, HeldVersion>();
  private lo = 0;
  private hi = 0;

  get size(): number {
    return this.byName.size;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  versionOf(name: string): string | undefined {
    return this.byName.get(name)?.version;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  set(name: string, held: HeldVersion): void {
    this.subtract(this.byName.get(name));
    this.byName.set(name, held);
    if (held.digest) {
      this.lo = (this.lo + held.digest[0]) >>> 0;
      this.hi = (this.hi + held.digest[1]) >>> 0;
    }
  }

  delete(name: string): void {
    this.subtract(this.byName.get(name));
    this.byName.delete(name);
  }

  clear(): void {
    this.byName.clear();
    this.lo = 0;
    this.hi = 0;
  }

  /** The set version (see set-version.ts) of everything held; equals setVersion() of the same resources. */
  setVersion(): string {
    return formatSetVersion(this.byName.size, this.lo, this.hi);
  }

  private subtract(held: HeldVersion | undefined): void {
    if (!held?.digest) return;
    this.lo = (this.lo - held.digest[0]) >>> 0;
    this.hi = (this.hi - held.digest[1]) >>> 0;
  }
}

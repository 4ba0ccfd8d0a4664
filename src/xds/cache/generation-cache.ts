/**
 * Generated-and-encoded resources per (type, generator key), for the current
 * snapshot. Proxies whose keys are equal share one entry, so a resource is
 * generated and encoded once per snapshot however many proxies receive it.
 *
 * A full push starts every entry afresh. An endpoint-only push keeps every
 * entry and drops from the endpoint-reading generators' entries just the
 * names the changed hosts affect; those are regenerated on first use.
 *
 * Every resource is validated against Envoy's PGV rules as it is encoded. An
 * invalid one is reported and replaced by the last good version of that
 * (key, name), or left out when there has never been one.
 */
import type { MeshSnapshot } from '../../model/types.js';
import type { ProxyNode } from '../../model/proxy.js';
import type { PushRequest } from '../../push/push-request.js';
import type { GeneratorKey, ResourceGenerator } from '../gen/generator.js';
import type { XdsTypeUrl } from '../proto/type-urls.js';
import type { Violation } from '../validate/violation.js';
import { encodeResource, InvalidResourceError, type EncodedResource } from './encoded-resource.js';
import { LastGoodResources } from './last-good-resources.js';

/** What the cache reports when a generator fails for one resource, so the caller can log and count it. */
export type GenerationErrorHandler = (typeUrl: XdsTypeUrl, key: string, error: unknown) => void;

/** What is served in place of an invalid resource. */
export type InvalidResourceFallback = 'last-good' | 'omitted';

/** What the cache reports when a generated resource breaks a PGV rule: always a tsiod bug. */
export type InvalidResourceHandler = (
  typeUrl: XdsTypeUrl,
  key: string,
  resourceName: string,
  violations: readonly Violation[],
  served: InvalidResourceFallback,
) => void;

export interface GenerationCacheHandlers {
  readonly onError?: GenerationErrorHandler;
  readonly onInvalidResource?: InvalidResourceHandler;
}

interface Entry {
  readonly typeUrl: XdsTypeUrl;
  readonly key: GeneratorKey;
  /** Every resource of the wildcard set, once computed. */
  all: Map<string, EncodedResource> | undefined;
  /** named() results by subscription set: proxies sharing a subscription share the result map. */
  namedMemo: WeakMap<object, ReadonlyMap<string, EncodedResource>>;
  /** Resources looked up by name; null records a name that does not exist. */
  readonly byName: Map<string, EncodedResource | null>;
}

export class GenerationCache {
  private snapshot: MeshSnapshot | undefined;
  private readonly entries = new Map<string, Entry>();
  /** Per key, the names the last endpoint-only push touched; lets each connection find its work in O(changed). */
  private readonly endpointChanged = new Map<string, ReadonlySet<string>>();
  private lastRequest: PushRequest | undefined;
  /** Per proxy, its key per type; keys may depend on the snapshot's config, so a full push forgets them. */
  private keyStrings = new WeakMap<ProxyNode, Map<XdsTypeUrl, { key: GeneratorKey; id: string }>>();
  private readonly lastGood = new LastGoodResources();
  private readonly onError: GenerationErrorHandler;
  private readonly onInvalidResource: InvalidResourceHandler;

  constructor(
    private readonly generators: ReadonlyMap<XdsTypeUrl, ResourceGenerator>,
    handlers: GenerationCacheHandlers = {},
  ) {
    this.onError = handlers.onError ?? (() => {});
    this.onInvalidResource = handlers.onInvalidResource ?? (() => {});
  }

  get currentSnapshot(): MeshSnapshot | undefined {
    return this.snapshot;
  }

  supports(typeUrl: string): typeUrl is XdsTypeUrl {
    return this.generators.has(typeUrl as XdsTypeUrl);
  }

  /** Moves the cache to `snapshot`, keeping what `request` says is unaffected. */
  update(snapshot: MeshSnapshot, request: PushRequest): void {
    this.snapshot = snapshot;
    this.lastRequest = request;
    this.endpointChanged.clear();
    if (request.full) {
      // Keys no proxy asked for during the last snapshot lose their last good resources.
      this.lastGood.retainKeys(this.entries.keys());
      this.entries.clear();
      this.keyStrings = new WeakMap();
      return;
    }
    for (const [entryId, entry] of this.entries) {
      const generator = this.generators.get(entry.typeUrl);
      const affected = generator && partialChanges(generator, snapshot, entry.key, request);
      if (!affected) continue;
      this.endpointChanged.set(entryId, affected);
      for (const name of affected) entry.byName.delete(name);
      if (affected.size > 0) {
        entry.all = undefined;
        entry.namedMemo = new WeakMap();
      }
    }
  }

  /**
   * The names of `typeUrl` a partial push (endpoints, secrets) changed for
   * this proxy: 'all' when the push was full (everything may have changed),
   * 'none' when the type reads neither. `request` defaults to the last push;
   * a stream that merged several pushes while busy passes the merged one.
   */
  endpointChangesFor(typeUrl: XdsTypeUrl, proxy: ProxyNode, request: PushRequest | undefined = this.lastRequest): ReadonlySet<string> | 'none' | 'all' {
    if (!request || request.full) return 'all';
    const generator = this.generators.get(typeUrl);
    if (!generator || !this.snapshot) return 'none';
    const { id, key } = this.keyFor(typeUrl, proxy);
    const memoized = request === this.lastRequest;
    let changed = memoized ? this.endpointChanged.get(id) : undefined;
    if (!changed) {
      changed = partialChanges(generator, this.snapshot, key, request);
      if (!changed) return 'none';
      if (memoized) this.endpointChanged.set(id, changed);
    }
    return changed;
  }

  /** Every resource a wildcard subscriber of this type sees. */
  wildcard(typeUrl: XdsTypeUrl, proxy: ProxyNode): ReadonlyMap<string, EncodedResource> {
    const { entry, key, id } = this.entryFor(typeUrl, proxy);
    if (!entry.all) {
      const generated = this.generate(typeUrl, key, id, undefined);
      entry.all = generated;
      for (const [name, r] of generated) entry.byName.set(name, r);
    }
    return entry.all;
  }

  /**
   * The named resources that exist, in the order asked. When `names` is a set
   * (a stream's subscription, shared between streams that subscribe alike),
   * the result is memoized by that set and must not be modified.
   */
  named(typeUrl: XdsTypeUrl, proxy: ProxyNode, names: Iterable<string>): ReadonlyMap<string, EncodedResource> {
    const { entry, key, id } = this.entryFor(typeUrl, proxy);
    const memoKey = names instanceof Set ? names : undefined;
    const memo = memoKey && entry.namedMemo.get(memoKey);
    if (memo) return memo;
    const out = new Map<string, EncodedResource>();
    let missing: Set<string> | undefined;
    for (const name of names) {
      const hit = entry.byName.get(name);
      if (hit) out.set(name, hit);
      else if (hit === undefined) (missing ??= new Set()).add(name);
    }
    if (missing) {
      const generated = this.generate(typeUrl, key, id, missing);
      for (const name of missing) {
        const r = generated.get(name) ?? null;
        entry.byName.set(name, r);
        if (r) out.set(name, r);
      }
    }
    if (memoKey) entry.namedMemo.set(memoKey, out);
    return out;
  }

  private generate(
    typeUrl: XdsTypeUrl,
    key: GeneratorKey,
    id: string,
    names: ReadonlySet<string> | undefined,
  ): Map<string, EncodedResource> {
    const generator = this.generators.get(typeUrl);
    const out = new Map<string, EncodedResource>();
    if (!generator || !this.snapshot) return out;
    let generated;
    try {
      generated = generator.generate(this.snapshot, key, names);
    } catch (err) {
      this.onError(typeUrl, id, err);
      return out;
    }
    const lastGood = this.lastGood.forKey(id);
    const produced = new Set<string>();
    for (const g of generated) {
      produced.add(g.name);
      // One resource that fails to encode or validate is replaced by its last good version; the rest still go out.
      try {
        const encoded = encodeResource(typeUrl, g);
        lastGood.set(g.name, encoded);
        out.set(g.name, encoded);
      } catch (err) {
        const previous = lastGood.get(g.name);
        if (previous) out.set(g.name, previous);
        if (err instanceof InvalidResourceError) this.onInvalidResource(typeUrl, id, g.name, err.violations, previous ? 'last-good' : 'omitted');
        else this.onError(typeUrl, id, err);
      }
    }
    this.lastGood.settle(id, names, produced);
    return out;
  }

  private keyFor(typeUrl: XdsTypeUrl, proxy: ProxyNode): { key: GeneratorKey; id: string } {
    let perType = this.keyStrings.get(proxy);
    if (!perType) {
      perType = new Map();
      this.keyStrings.set(proxy, perType);
    }
    let k = perType.get(typeUrl);
    if (!k) {
      const generator = this.generators.get(typeUrl);
      const key = generator && this.snapshot ? generator.keyOf(proxy, this.snapshot) : {};
      k = { key, id: `${typeUrl}|${stableStringify(key)}` };
      perType.set(typeUrl, k);
    }
    return k;
  }

  private entryFor(typeUrl: XdsTypeUrl, proxy: ProxyNode): { entry: Entry; key: GeneratorKey; id: string } {
    const { key, id } = this.keyFor(typeUrl, proxy);
    let entry = this.entries.get(id);
    if (!entry) {
      entry = { typeUrl, key, all: undefined, byName: new Map(), namedMemo: new WeakMap() };
      this.entries.set(id, entry);
    }
    return { entry, key, id };
  }
}

/**
 * The names a partial push makes stale for one key, or undefined when the
 * generator reads neither endpoints nor secrets (nothing of it changed).
 */
function partialChanges(generator: ResourceGenerator, snapshot: MeshSnapshot, key: GeneratorKey, request: PushRequest): ReadonlySet<string> | undefined {
  const readsEndpoints = generator.affectedByEndpoints !== undefined;
  const readsSecrets = generator.affectedBySecrets !== undefined && request.secrets !== undefined;
  if (!readsEndpoints && !readsSecrets) return undefined;
  const byEndpoints = readsEndpoints && request.endpointHosts.size > 0 ? generator.affectedByEndpoints!(snapshot, key, request.endpointHosts) : undefined;
  const bySecrets = readsSecrets ? generator.affectedBySecrets!(key, request.secrets!) : undefined;
  if (byEndpoints && bySecrets) return new Set([...byEndpoints, ...bySecrets]);
  return byEndpoints ?? bySecrets ?? new Set<string>();
}

/** JSON with sorted keys, so equal keys give equal strings whatever order a generator builds them in. */
export function stableStringify(key: GeneratorKey): string {
  return JSON.stringify(Object.keys(key).sort().map((k) => [k, key[k]]));
}

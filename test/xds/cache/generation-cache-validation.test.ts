/** The validation gate in GenerationCache: invalid resources are never served; their last good version is. */
import { beforeEach, describe, expect, it } from 'vitest';
import { fullPush } from '../../../src/push/push-request.js';
import { GenerationCache, type InvalidResourceFallback } from '../../../src/xds/cache/generation-cache.js';
import { envoyType } from '../../../src/xds/proto/envoy-protos.js';
import { ClusterType } from '../../../src/xds/proto/type-urls.js';
import type { Violation } from '../../../src/xds/validate/violation.js';
import { proxy } from '../gen/helpers/mesh-builder.js';
import { fixtureSnapshot } from '../server/support/fixture-mesh.js';
import { scriptedClusters, type ClusterScript } from './support/scripted-clusters.js';

interface Reported { name: string; violations: readonly Violation[]; served: InvalidResourceFallback }

let script: ClusterScript;
let invalid: Reported[];
let errors: unknown[];
let cache: GenerationCache;
const sidecar = proxy('sidecar');

function push(next: ClusterScript): void {
  script = next;
  cache.update(fixtureSnapshot({}), fullPush('config'));
}

/** name → connect timeout seconds, read back from the encoded resources the cache would send. */
function served(resources: ReadonlyMap<string, { sotwFrame: Uint8Array }>): Record<string, number> {
  const out: Record<string, number> = {};
  const cluster = envoyType('envoy.config.cluster.v3.Cluster');
  for (const [name, r] of resources) {
    // sotwFrame: tag, length, then Any{type_url, value}; decode the Any's value.
    const any = envoyType('google.protobuf.Any').decodeDelimited(r.sotwFrame.subarray(1)) as unknown as { value: Uint8Array };
    const decoded = cluster.toObject(cluster.decode(any.value), { longs: Number }) as { connectTimeout?: { seconds?: number } };
    out[name] = decoded.connectTimeout?.seconds ?? 0;
  }
  return out;
}

beforeEach(() => {
  invalid = [];
  errors = [];
  cache = new GenerationCache(scriptedClusters(() => script), {
    onError: (_t, _k, err) => errors.push(err),
    onInvalidResource: (_t, _k, name, violations, fallback) => invalid.push({ name, violations, served: fallback }),
  });
});

describe('GenerationCache validation gate', () => {
  it('leaves out an invalid resource that never had a good version, and serves the rest', () => {
    push({ a: 1, b: 0, c: 3 });
    expect(served(cache.wildcard(ClusterType, sidecar))).toEqual({ a: 1, c: 3 });
    expect(invalid).toEqual([{ name: 'b', served: 'omitted', violations: [{ path: 'connectTimeout', rule: 'duration.gt', message: 'value must be greater than 0s' }] }]);
    expect(errors).toEqual([]);
  });

  it('serves the last good version when a resource turns invalid, across full pushes', () => {
    push({ a: 1, b: 2 });
    const first = cache.wildcard(ClusterType, sidecar);
    push({ a: 5, b: 0 });
    const second = cache.wildcard(ClusterType, sidecar);
    expect(served(second)).toEqual({ a: 5, b: 2 });
    expect(second.get('b')).toBe(first.get('b')); // the very bytes the proxy already has: same version, no churn
    expect(invalid.map((r) => [r.name, r.served])).toEqual([['b', 'last-good']]);
    push({ a: 5, b: 0 });
    expect(served(cache.wildcard(ClusterType, sidecar))).toEqual({ a: 5, b: 2 });
    push({ a: 5, b: 7 });
    expect(served(cache.wildcard(ClusterType, sidecar))).toEqual({ a: 5, b: 7 });
  });

  it('forgets a last good version once the generator stops producing the name', () => {
    push({ a: 1, b: 2 });
    cache.wildcard(ClusterType, sidecar);
    push({ a: 1 });
    expect(served(cache.wildcard(ClusterType, sidecar))).toEqual({ a: 1 });
    push({ a: 1, b: 0 });
    expect(served(cache.wildcard(ClusterType, sidecar))).toEqual({ a: 1 });
    expect(invalid.map((r) => [r.name, r.served])).toEqual([['b', 'omitted']]);
  });

  it('applies to resources asked for by name', () => {
    push({ a: 1, b: 2 });
    expect(served(cache.named(ClusterType, sidecar, ['b']))).toEqual({ b: 2 });
    push({ a: 1, b: 0 });
    expect(served(cache.named(ClusterType, sidecar, ['a', 'b']))).toEqual({ a: 1, b: 2 });
    push({ a: 1 });
    expect(served(cache.named(ClusterType, sidecar, ['b']))).toEqual({});
    push({ a: 1, b: 0 });
    expect(served(cache.named(ClusterType, sidecar, ['b']))).toEqual({});
    expect(invalid.map((r) => [r.name, r.served])).toEqual([['b', 'last-good'], ['b', 'omitted']]);
  });

  it('also keeps the last good version of a resource that cannot be encoded, reported as an error', () => {
    push({ a: 1, b: 2 });
    cache.wildcard(ClusterType, sidecar);
    push({ a: 1, b: 'not a duration' });
    expect(served(cache.wildcard(ClusterType, sidecar))).toEqual({ a: 1, b: 2 });
    expect(errors).toHaveLength(1);
    expect(invalid).toEqual([]);
  });
});

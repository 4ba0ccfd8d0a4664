import { describe, expect, it } from 'vitest';
import { GenerationCache } from '../../../src/xds/cache/generation-cache.js';
import { parseProxyNode } from '../../../src/model/proxy.js';
import { endpointPush, fullPush } from '../../../src/push/push-request.js';
import { EndpointType } from '../../../src/xds/proto/type-urls.js';
import { SubscriptionInterner } from '../../../src/xds/server/name-interner.js';
import { HeldResources } from '../../../src/xds/server/held-resources.js';
import { clusterName, fixtureGenerators, fixtureSnapshot } from '../server/support/fixture-mesh.js';

const A = 'a.default.svc.cluster.local';
const B = 'b.default.svc.cluster.local';
const proxy = (pod: string) => parseProxyNode({ id: `sidecar~127.0.0.1~${pod}.default~default.svc.cluster.local` }, 'cluster.local');

describe('shared subscriptions', () => {
  it('give two proxies with the same subscription one set and one resource map to hold', () => {
    const subs = new SubscriptionInterner();
    const s1 = subs.intern('k', () => new Set([clusterName(A), clusterName(B)]));
    const s2 = subs.intern('k', () => new Set([clusterName(A), clusterName(B)]));
    expect(s2).toBe(s1);
    const cache = new GenerationCache(fixtureGenerators);
    cache.update(fixtureSnapshot({ [A]: ['127.0.0.1'], [B]: ['127.0.0.2'] }), fullPush('initial'));
    const m1 = cache.named(EndpointType, proxy('p1'), s1);
    const m2 = cache.named(EndpointType, proxy('p2'), s2);
    expect(m2).toBe(m1);
    expect([...m1.keys()]).toEqual([clusterName(A), clusterName(B)]);
    const h1 = new HeldResources();
    const h2 = new HeldResources();
    h1.replaceAll(m1);
    h2.replaceAll(m2);
    expect(h1.sharesBase(m1) && h2.sharesBase(m1)).toBe(true);
  });

  it('stops sharing a stale map after an endpoint push, and shares the new one once the change is applied', () => {
    const cache = new GenerationCache(fixtureGenerators);
    cache.update(fixtureSnapshot({ [A]: ['127.0.0.1'], [B]: ['127.0.0.2'] }), fullPush('initial'));
    const names = new Set([clusterName(A), clusterName(B)]);
    const before = cache.named(EndpointType, proxy('p1'), names);
    const held = new HeldResources();
    held.replaceAll(before);
    cache.update(fixtureSnapshot({ [A]: ['127.0.0.9'], [B]: ['127.0.0.2'] }), endpointPush([A]));
    const after = cache.named(EndpointType, proxy('p1'), names);
    expect(after).not.toBe(before);
    expect(after.get(clusterName(A))!.version).not.toBe(before.get(clusterName(A))!.version);
    expect(after.get(clusterName(B))).toBe(before.get(clusterName(B)));
    held.reshare(after); // content differs: keeps its own state
    expect(held.sharesBase(after)).toBe(false);
    held.set(clusterName(A), after.get(clusterName(A))!); // the push is applied
    held.reshare(after);
    expect(held.sharesBase(after)).toBe(true);
  });
});

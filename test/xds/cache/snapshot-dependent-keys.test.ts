/**
 * CDS keys on the DestinationRule view of the client namespace, which the
 * snapshot decides: namespaces that see only public rules share one
 * generated-and-encoded cluster set, and after a full push that gives a
 * namespace a rule of its own, its proxies get their own set.
 */
import { describe, expect, it } from 'vitest';
import { parseProxyNode } from '../../../src/model/proxy.js';
import { fullPush } from '../../../src/push/push-request.js';
import { GenerationCache } from '../../../src/xds/cache/generation-cache.js';
import { generators } from '../../../src/xds/gen/index.js';
import { ClusterType } from '../../../src/xds/proto/type-urls.js';
import { destinationRule, fqdn, kubeService, port, snapshot } from '../gen/helpers/mesh-builder.js';

const reviews = kubeService('reviews', 'default', [port(9080, 'HTTP', 'http')]);
const sidecarIn = (namespace: string) =>
  parseProxyNode({ id: `sidecar~10.1.0.1~pod-${namespace}.${namespace}~${namespace}.svc.cluster.local` }, 'cluster.local');

describe('snapshot-dependent generator keys', () => {
  it('share CDS between namespaces with the public view, and split a namespace once it holds a rule', () => {
    const cache = new GenerationCache(generators);
    cache.update(snapshot({ services: [reviews] }), fullPush('initial'));
    const a = cache.wildcard(ClusterType, sidecarIn('a'));
    expect(cache.wildcard(ClusterType, sidecarIn('b'))).toBe(a);

    const rule = destinationRule('reviews', 'a', { host: fqdn('reviews'), subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
    cache.update(snapshot({ services: [reviews], destinationRules: [rule] }), fullPush('config'));
    const inA = cache.wildcard(ClusterType, sidecarIn('a'));
    const inB = cache.wildcard(ClusterType, sidecarIn('b'));
    expect(inA).not.toBe(inB);
    expect([...inA.keys()]).toContain(`outbound|9080|v1|${fqdn('reviews')}`);
    expect([...inB.keys()]).not.toContain(`outbound|9080|v1|${fqdn('reviews')}`);
    expect(cache.wildcard(ClusterType, sidecarIn('c'))).toBe(inB);
  });
});

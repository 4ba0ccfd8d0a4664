/**
 * Route hash policies from DestinationRule consistentHash settings, from
 * Istio's HashForHTTPDestination, hashForService and ConsistentHashToHashPolicy.
 */
import { describe, expect, it } from 'vitest';
import type { ConsistentHashLB, DestinationRuleSpec } from '../../../../src/model/types.js';
import { destinationRule } from '../helpers/mesh-builder.js';
import { REVIEWS, reviewsRoutes, routeMesh, toReviews } from './helpers/route-mesh.js';

const rule = (spec: Omit<DestinationRuleSpec, 'host'>): ReturnType<typeof destinationRule> => destinationRule('reviews', 'default', { host: REVIEWS, ...spec });
const byHash = (consistentHash: ConsistentHashLB): Omit<DestinationRuleSpec, 'host'> => ({ trafficPolicy: { loadBalancer: { consistentHash } } });

function hashPolicyOf(spec: Omit<DestinationRuleSpec, 'host'>, http = [{ route: toReviews() }], client: 'sidecar' | 'proxyless' = 'sidecar'): unknown {
  const routes = reviewsRoutes(routeMesh(http, { destinationRules: [rule(spec)] }), client);
  return (routes[0]?.['route'] as Record<string, unknown>)['hashPolicy'];
}

describe('hash policy', () => {
  it('hashes a header, a query parameter or the source IP', () => {
    expect(hashPolicyOf(byHash({ httpHeaderName: 'x-user' }))).toEqual([{ header: { headerName: 'x-user' } }]);
    expect(hashPolicyOf(byHash({ httpQueryParameterName: 'session' }))).toEqual([{ queryParameter: { name: 'session' } }]);
    expect(hashPolicyOf(byHash({ useSourceIp: true }))).toEqual([{ connectionProperties: { sourceIp: true } }]);
  });

  it('hashes a cookie with its ttl and path', () => {
    expect(hashPolicyOf(byHash({ httpCookie: { name: 'session', ttl: '60s', path: '/shop' } }))).toEqual([{ cookie: { name: 'session', ttl: { seconds: 60 }, path: '/shop' } }]);
  });

  it('has none for a ring size alone', () => {
    expect(hashPolicyOf(byHash({ ringHash: { minimumRingSize: 1024 } }))).toBeUndefined();
  });

  it("lets the subset's setting win over the rule's", () => {
    const spec = { ...byHash({ httpHeaderName: 'x-rule' }), subsets: [{ name: 'v2', labels: { version: 'v2' }, ...byHash({ httpHeaderName: 'x-subset' }) }] };
    expect(hashPolicyOf(spec, [{ route: toReviews('v2') }])).toEqual([{ header: { headerName: 'x-subset' } }]);
    expect(hashPolicyOf(spec, [{ route: toReviews('v1') }])).toEqual([{ header: { headerName: 'x-rule' } }]);
  });

  it('uses a port-level setting when the destination names that port', () => {
    const spec = { trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'x-rule' } }, portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { consistentHash: { httpHeaderName: 'x-port' } } }] } };
    expect(hashPolicyOf(spec, [{ route: [{ destination: { host: REVIEWS, port: { number: 9080 } } }] }])).toEqual([{ header: { headerName: 'x-port' } }]);
    expect(hashPolicyOf(spec)).toEqual([{ header: { headerName: 'x-rule' } }]);
  });

  it("puts the service's hash policy on the default route of a service without VirtualService", () => {
    const snap = routeMesh([], { destinationRules: [rule(byHash({ httpHeaderName: 'x-user' }))] });
    expect(reviewsRoutes(snap)[0]).toMatchObject({ name: 'default', route: { hashPolicy: [{ header: { headerName: 'x-user' } }] } });
  });

  it('gives proxyless gRPC the same header hash policy, which its ring hash reads', () => {
    expect(hashPolicyOf(byHash({ httpHeaderName: 'x-user' }), [{ route: toReviews() }], 'proxyless')).toEqual([{ header: { headerName: 'x-user' } }]);
  });
});

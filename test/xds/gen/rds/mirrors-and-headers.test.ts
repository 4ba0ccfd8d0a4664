/** Mirrors and header changes, from Istio's MirrorPercent, TranslateRequestMirrorPolicy and TranslateHeadersOperations. */
import { describe, expect, it } from 'vitest';
import { RATINGS, REVIEWS, routesOf } from './helpers/route-mesh.js';

const mirrorPolicy = (cluster: string, numerator: number, denominator: string): Record<string, unknown> => ({
  cluster,
  runtimeFraction: { defaultValue: { numerator, denominator } },
  traceSampled: { value: false },
});

describe('mirrors', () => {
  it('mirrors all requests by default, and mirrorPercentage of them when given', () => {
    const [all] = routesOf([{ route: [{ destination: { host: REVIEWS } }], mirror: { host: RATINGS } }]);
    expect((all?.['route'] as Record<string, unknown>)['requestMirrorPolicies']).toEqual([mirrorPolicy(`outbound|9080||${RATINGS}`, 100, 'HUNDRED')]);
    const [some] = routesOf([{ route: [{ destination: { host: REVIEWS } }], mirror: { host: RATINGS }, mirrorPercentage: { value: 12.5 } }]);
    expect((some?.['route'] as Record<string, unknown>)['requestMirrorPolicies']).toEqual([mirrorPolicy(`outbound|9080||${RATINGS}`, 125_000, 'MILLION')]);
  });

  it('mirrors to several destinations with mirrors, none at 0%', () => {
    const [route] = routesOf([
      {
        route: [{ destination: { host: REVIEWS } }],
        mirrors: [{ destination: { host: RATINGS }, percentage: { value: 50 } }, { destination: { host: REVIEWS, subset: 'v2' } }, { destination: { host: RATINGS, subset: 'off' }, percentage: { value: 0 } }],
      },
    ]);
    expect((route?.['route'] as Record<string, unknown>)['requestMirrorPolicies']).toEqual([
      mirrorPolicy(`outbound|9080||${RATINGS}`, 500_000, 'MILLION'),
      mirrorPolicy(`outbound|9080|v2|${REVIEWS}`, 100, 'HUNDRED'),
    ]);
  });
});

describe('header changes', () => {
  it('sets (overwrite) and adds (append) request and response headers, sorted, and removes others', () => {
    const [route] = routesOf([
      {
        headers: {
          request: { set: { 'x-b': '2', 'x-a': '1' }, add: { 'x-c': '3' }, remove: ['x-secret'] },
          response: { set: { 'x-served-by': 'reviews' }, remove: ['server'] },
        },
        route: [{ destination: { host: REVIEWS } }],
      },
    ]);
    expect(route).toMatchObject({
      requestHeadersToAdd: [
        { header: { key: 'x-a', value: '1' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' },
        { header: { key: 'x-b', value: '2' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' },
        { header: { key: 'x-c', value: '3' }, appendAction: 'APPEND_IF_EXISTS_OR_ADD' },
      ],
      requestHeadersToRemove: ['x-secret'],
      responseHeadersToAdd: [{ header: { key: 'x-served-by', value: 'reviews' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
      responseHeadersToRemove: ['server'],
    });
  });

  it('turns a set :authority or host into a host rewrite, which Envoy header options cannot change', () => {
    const [route] = routesOf([{ headers: { request: { set: { host: 'reviews.internal' } } }, route: [{ destination: { host: REVIEWS } }] }]);
    expect(route).not.toHaveProperty('requestHeadersToAdd');
    expect(route?.['route']).toMatchObject({ hostRewriteLiteral: 'reviews.internal' });
  });

  it("puts a single destination's headers on the route, after the route's own", () => {
    const [route] = routesOf([
      { headers: { request: { add: { 'x-route': 'r' } } }, route: [{ destination: { host: REVIEWS }, headers: { request: { add: { 'x-dest': 'd' } }, response: { remove: ['x-internal'] } } }] },
    ]);
    expect(route).toMatchObject({
      requestHeadersToAdd: [
        { header: { key: 'x-route', value: 'r' }, appendAction: 'APPEND_IF_EXISTS_OR_ADD' },
        { header: { key: 'x-dest', value: 'd' }, appendAction: 'APPEND_IF_EXISTS_OR_ADD' },
      ],
      responseHeadersToRemove: ['x-internal'],
    });
  });

  it('puts weighted destinations\' headers and authority on their cluster weights', () => {
    const [route] = routesOf([
      {
        route: [
          { destination: { host: REVIEWS, subset: 'v1' }, weight: 90, headers: { response: { set: { 'x-version': 'v1' } } } },
          { destination: { host: REVIEWS, subset: 'v2' }, weight: 10, headers: { request: { set: { ':authority': 'canary.reviews' } } } },
        ],
      },
    ]);
    expect((route?.['route'] as Record<string, unknown>)['weightedClusters']).toEqual({
      clusters: [
        { name: `outbound|9080|v1|${REVIEWS}`, weight: { value: 90 }, responseHeadersToAdd: [{ header: { key: 'x-version', value: 'v1' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' }] },
        { name: `outbound|9080|v2|${REVIEWS}`, weight: { value: 10 }, hostRewriteLiteral: 'canary.reviews' },
      ],
    });
  });
});

/** A root VirtualService's delegated routes as sidecars receive them (Istio merges delegates before translation). */
import { describe, expect, it } from 'vitest';
import { virtualService } from '../helpers/mesh-builder.js';
import { RATINGS, REVIEWS, reviewsRoutes, routeMesh } from './helpers/route-mesh.js';

describe('delegated routes', () => {
  const shop = virtualService('shop', 'default', {
    hosts: [],
    http: [
      { name: 'cart', match: [{ uri: { prefix: '/shop/cart' } }], route: [{ destination: { host: RATINGS } }] },
      { name: 'admin', match: [{ uri: { prefix: '/admin' } }], route: [{ destination: { host: RATINGS } }] },
    ],
  });

  it('routes with the delegate routes under the root match, conflicting ones left out', () => {
    const snap = routeMesh(
      [
        { name: 'shop', match: [{ uri: { prefix: '/shop' } }], delegate: { name: 'shop' } },
        { name: 'rest', route: [{ destination: { host: REVIEWS } }] },
      ],
      { virtualServices: [shop] },
    );
    const routes = reviewsRoutes(snap);
    expect(routes.map((r) => [r['name'], r['match']])).toEqual([
      ['shop-cart', { prefix: '/shop/cart', caseSensitive: { value: true } }],
      ['rest', { prefix: '/' }],
    ]);
    expect(routes[0]?.['route']).toMatchObject({ cluster: `outbound|9080||${RATINGS}` });
  });
});

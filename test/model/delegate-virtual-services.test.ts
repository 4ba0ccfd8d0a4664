/**
 * Delegate VirtualServices as Istio merges them (pilot/pkg/model
 * virtualservice.go: MergeHTTPRoutes, mergeHTTPMatchRequests, hasConflict;
 * virtualservice_controller.go for exportTo and lookup).
 */
import { describe, expect, it } from 'vitest';
import type { ConfigObject } from '../../src/config/config-object.js';
import { resolveDelegates } from '../../src/model/delegate-virtual-services.js';
import { virtualServiceConfig } from '../../src/model/istio-configs.js';
import type { HTTPRoute, IstioConfig, VirtualServiceSpec } from '../../src/model/types.js';
import { VirtualServiceIndex } from '../../src/model/virtual-service-index.js';

const vs = (name: string, namespace: string, spec: Partial<VirtualServiceSpec>): IstioConfig<VirtualServiceSpec> => ({
  meta: { kind: 'VirtualService', apiVersion: 'networking.istio.io/v1', name, namespace },
  spec: { hosts: [], ...spec },
});
const to = (host: string): HTTPRoute['route'] => [{ destination: { host } }];

function mergedHttp(root: IstioConfig<VirtualServiceSpec>, ...delegates: IstioConfig<VirtualServiceSpec>[]): readonly HTTPRoute[] {
  const [merged] = resolveDelegates([root, ...delegates]);
  return merged?.spec.http ?? [];
}

describe('delegate VirtualServices', () => {
  it('replaces a delegating route by the delegate routes, narrowed by the root match', () => {
    const root = vs('root', 'default', {
      hosts: ['reviews.default.svc.cluster.local'],
      http: [
        { name: 'shop', match: [{ uri: { prefix: '/shop' }, headers: { 'x-user': { exact: 'a' } } }], delegate: { name: 'shop' }, timeout: '5s' },
        { name: 'rest', route: to('reviews') },
      ],
    });
    const shop = vs('shop', 'default', {
      http: [
        { name: 'cart', match: [{ uri: { prefix: '/shop/cart' }, headers: { 'x-env': { exact: 'prod' } } }], route: to('cart'), timeout: '1s' },
        { route: to('shop') },
      ],
    });
    expect(mergedHttp(root, shop)).toEqual([
      {
        name: 'shop-cart',
        match: [{ uri: { prefix: '/shop/cart' }, headers: { 'x-user': { exact: 'a' }, 'x-env': { exact: 'prod' } } }],
        route: to('cart'),
        timeout: '1s',
      },
      // A delegate route without match takes the root's, and the root's settings where it has none.
      { name: 'shop', match: [{ uri: { prefix: '/shop' }, headers: { 'x-user': { exact: 'a' } } }], route: to('shop'), timeout: '5s' },
      { name: 'rest', route: to('reviews') },
    ]);
  });

  it('drops a delegate route whose match contradicts the root match', () => {
    const root = vs('root', 'default', { hosts: ['reviews'], http: [{ match: [{ uri: { prefix: '/shop' } }], delegate: { name: 'shop' } }] });
    const shop = vs('shop', 'default', {
      http: [
        { name: 'outside', match: [{ uri: { prefix: '/admin' } }], route: to('admin') },
        { name: 'regex', match: [{ uri: { regex: '/shop/.*' } }], route: to('regex') },
        { name: 'inside', match: [{ uri: { exact: '/shop/item' } }], route: to('item') },
      ],
    });
    expect(mergedHttp(root, shop).map((r) => r.name)).toEqual(['inside']);
  });

  it('never routes a delegate on its own, and indexes the merged root', () => {
    const root = vs('root', 'default', { hosts: ['reviews.default.svc.cluster.local'], http: [{ delegate: { name: 'shop' } }] });
    const shop = vs('shop', 'default', { http: [{ route: to('shop') }] });
    const index = new VirtualServiceIndex([root, shop]);
    expect(index.forGateway('default', 'mesh').map((v) => v.meta.name)).toEqual(['root']);
    expect(index.forHost('default', 'mesh', 'reviews.default.svc.cluster.local')?.spec.http).toEqual([{ route: to('shop') }]);
  });

  it('looks the delegate up in its own namespace, the root namespace by default', () => {
    const root = vs('root', 'front', { hosts: ['a'], http: [{ match: [{ uri: { prefix: '/x' } }], delegate: { name: 'shop', namespace: 'team' } }, { delegate: { name: 'shop' } }] });
    const team = vs('shop', 'team', { http: [{ name: 'team', route: to('team') }] });
    const front = vs('shop', 'front', { http: [{ name: 'front', route: to('front') }] });
    expect(mergedHttp(root, team, front).map((r) => r.name)).toEqual(['team', 'front']);
  });

  it('ignores a delegate not exported to the root namespace, and a missing one', () => {
    const root = vs('root', 'front', { hosts: ['a'], http: [{ match: [{ uri: { prefix: '/p' } }], delegate: { name: 'private', namespace: 'team' } }, { match: [{ uri: { prefix: '/m' } }], delegate: { name: 'missing' } }, { name: 'rest', route: to('a') }] });
    const hidden = vs('private', 'team', { exportTo: ['.'], http: [{ route: to('team') }] });
    expect(mergedHttp(root, hidden).map((r) => r.name)).toEqual(['rest']);
    const exported = vs('private', 'team', { exportTo: ['front'], http: [{ name: 'team', route: to('team') }] });
    expect(mergedHttp(root, exported).map((r) => r.name)).toEqual(['team', 'rest']);
  });

  it('follows delegation one level only', () => {
    const root = vs('root', 'default', { hosts: ['a'], http: [{ delegate: { name: 'first' } }] });
    const first = vs('first', 'default', { http: [{ match: [{ uri: { prefix: '/deeper' } }], delegate: { name: 'second' } }, { name: 'first', route: to('first') }] });
    const second = vs('second', 'default', { http: [{ name: 'second', route: to('second') }] });
    expect(mergedHttp(root, first, second).map((r) => r.name)).toEqual(['first']);
  });

  it('reads a VirtualService without hosts into the snapshot with no hosts, its destinations resolved in its own namespace', () => {
    const object: ConfigObject = {
      kind: 'VirtualService',
      apiVersion: 'networking.istio.io/v1',
      metadata: { name: 'shop', namespace: 'team', labels: {}, annotations: {} },
      content: { spec: { http: [{ route: [{ destination: { host: 'cart' } }] }] } },
      source: 'shop.yaml#1',
    };
    const config = virtualServiceConfig(object, 'cluster.local');
    expect(config.spec.hosts).toEqual([]);
    expect(config.spec.http?.[0]?.route?.[0]?.destination.host).toBe('cart.team.svc.cluster.local');
  });
});

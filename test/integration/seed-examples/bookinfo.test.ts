/**
 * The seed's Bookinfo walkthrough (001): the app exposed through
 * bookinfo-gateway, a pod calling productpage:9080 through its sidecar, and
 * the traffic shift of reviews to 60/30/10 over v1/v2/v3. Expectations are
 * Istio's documented behaviour: gateway routes per the VirtualService's URI
 * matches; subset clusters named outbound|<port>|<subset>|<host> holding
 * only the pods whose labels match the subset (Istio's BuildSubsetKey and
 * subset endpoint selection).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { MeshSnapshot } from '../../../src/model/types.js';
import { simulate } from '../../simulation/simulate.js';
import type { XdsResources } from '../../simulation/xds-view.js';
import { loadSeedExample } from './helpers/load-example.js';
import { ingressGateway, proxyConfig, sidecarOf, wireProblems } from './helpers/proxy-config.js';

const PRODUCTPAGE = 'outbound|9080||productpage.default.svc.cluster.local';
const productpageSidecar = sidecarOf('default', 'productpage-v1', '10.244.0.20', { app: 'productpage', version: 'v1' });
const ratingsSidecar = sidecarOf('default', 'ratings-v1', '10.244.0.12', { app: 'ratings', version: 'v1' });

describe('seed: Bookinfo exposed through bookinfo-gateway', () => {
  let snapshot: MeshSnapshot;
  let gateway: XdsResources;
  beforeAll(async () => {
    snapshot = await loadSeedExample('bookinfo-app', 'ingress-gateway', 'bookinfo-gateway');
    gateway = proxyConfig(snapshot, ingressGateway());
  });

  it('routes curl http://istioigw/productpage to productpage through the gateway listener for port 80 (8080 in the pod)', () => {
    const result = simulate(gateway, { protocol: 'http', mode: 'gateway', address: '10.244.0.5', port: 8080, authority: 'istioigw', path: '/productpage' });
    expect(result.listener).toBe('0.0.0.0_8080');
    expect(result.http?.routeConfig).toBe('http.8080');
    expect(result.http?.action).toMatchObject({ kind: 'forward', targets: [{ cluster: PRODUCTPAGE, weight: 100 }] });
    expect(result.clusters[PRODUCTPAGE]?.endpoints.map((e) => e.address)).toEqual(['10.244.0.20:9080']);
  });

  it("routes the sample's other URIs (static files, login, logout, the products API) to productpage", () => {
    for (const path of ['/static/bootstrap.css', '/login', '/logout', '/api/v1/products/0/reviews']) {
      const result = simulate(gateway, { protocol: 'http', mode: 'gateway', address: '10.244.0.5', port: 8080, authority: '172.17.255.200', path });
      expect(result.http?.action, path).toMatchObject({ targets: [{ cluster: PRODUCTPAGE }] });
    }
  });

  it('routes nothing else: /productpages and /admin match no route (Envoy answers 404)', () => {
    for (const path of ['/productpages', '/admin']) {
      expect(() => simulate(gateway, { protocol: 'http', mode: 'gateway', address: '10.244.0.5', port: 8080, authority: 'istioigw', path })).toThrow(/^route: /);
    }
  });

  it('lets a pod reach productpage:9080 through its sidecar (kubectl exec ratings -- curl productpage:9080/productpage)', () => {
    const result = simulate(proxyConfig(snapshot, ratingsSidecar), { protocol: 'http', address: '10.96.108.103', port: 9080, authority: 'productpage:9080', path: '/productpage' });
    expect(result.listener).toBe('0.0.0.0_9080');
    expect(result.http?.virtualHost).toBe('productpage.default.svc.cluster.local:9080');
    expect(result.http?.action).toMatchObject({ kind: 'forward', targets: [{ cluster: PRODUCTPAGE, weight: 100 }] });
  });

  it('gives the gateway and the sidecar only resources Envoy accepts', () => {
    expect(wireProblems(snapshot, ingressGateway())).toEqual([]);
    expect(wireProblems(snapshot, ratingsSidecar)).toEqual([]);
  });
});

describe('seed: Bookinfo traffic shifting, reviews 60/30/10', () => {
  let snapshot: MeshSnapshot;
  let sidecar: XdsResources;
  beforeAll(async () => {
    snapshot = await loadSeedExample('bookinfo-app', 'ingress-gateway', 'bookinfo-gateway', 'bookinfo-traffic-shift');
    sidecar = proxyConfig(snapshot, productpageSidecar);
  });

  const subset = (version: string): string => `outbound|9080|${version}|reviews.default.svc.cluster.local`;

  it("splits productpage's calls to reviews:9080 60/30/10 over the v1, v2 and v3 subset clusters", () => {
    const result = simulate(sidecar, { protocol: 'http', address: '10.96.254.71', port: 9080, authority: 'reviews:9080', path: '/reviews/0' });
    expect(result.http?.virtualHost).toBe('reviews.default.svc.cluster.local:9080');
    expect(result.http?.action).toMatchObject({
      kind: 'forward',
      weighted: true,
      targets: [
        { cluster: subset('v1'), weight: 60 },
        { cluster: subset('v2'), weight: 30 },
        { cluster: subset('v3'), weight: 10 },
      ],
    });
  });

  it('puts each version\'s pod, and only it, in its subset cluster', () => {
    const result = simulate(sidecar, { protocol: 'http', address: '10.96.254.71', port: 9080, authority: 'reviews.default.svc.cluster.local:9080' });
    expect(result.clusters[subset('v1')]?.endpoints.map((e) => e.address)).toEqual(['10.244.0.13:9080']);
    expect(result.clusters[subset('v2')]?.endpoints.map((e) => e.address)).toEqual(['10.244.0.14:9080']);
    expect(result.clusters[subset('v3')]?.endpoints.map((e) => e.address)).toEqual(['10.244.0.15:9080']);
  });

  it('splits the same way whichever name the pod dials reviews by', () => {
    for (const authority of ['reviews', 'reviews.default', 'reviews.default.svc.cluster.local', '10.96.254.71:9080']) {
      const result = simulate(sidecar, { protocol: 'http', address: '10.96.254.71', port: 9080, authority });
      expect(result.http?.action, authority).toMatchObject({ weighted: true, targets: [{ weight: 60 }, { weight: 30 }, { weight: 10 }] });
    }
  });

  it('leaves the other services unsplit', () => {
    const result = simulate(sidecar, { protocol: 'http', address: '10.96.155.255', port: 9080, authority: 'ratings:9080' });
    expect(result.http?.action).toMatchObject({ weighted: false, targets: [{ cluster: 'outbound|9080||ratings.default.svc.cluster.local', weight: 100 }] });
  });

  it('gives the sidecar only resources Envoy accepts', () => {
    expect(wireProblems(snapshot, productpageSidecar)).toEqual([]);
  });
});

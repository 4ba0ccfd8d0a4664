/**
 * A DestinationRule with a workloadSelector, as the generators apply it
 * (Istio's SidecarScope.DestinationRule, used by CDS, EDS and the route
 * hash policy): in its namespace it shapes the clusters, endpoints and
 * routes of the workloads it selects only; elsewhere, and for the other
 * workloads, the rules without a selector apply.
 */
import { describe, expect, it } from 'vitest';
import type { ProxyNode, ProxyType } from '../../../../src/model/proxy.js';
import { cdsGenerator } from '../../../../src/xds/gen/cds/cds-generator.js';
import { edsGenerator } from '../../../../src/xds/gen/eds/eds-generator.js';
import { rdsGenerator } from '../../../../src/xds/gen/rds/rds-generator.js';
import { generateFor, namesOf, resourceNamed } from '../helpers/generate.js';
import { destinationRule, endpoint, fqdn, kubeService, port, proxy, snapshot } from '../helpers/mesh-builder.js';

const HTTP = port(9080, 'HTTP', 'http');
const REVIEWS = fqdn('reviews', 'bookstore');
const cluster = (subset: string): string => `outbound|9080|${subset}|${REVIEWS}`;

const snap = snapshot({
  services: [kubeService('reviews', 'bookstore', [HTTP])],
  endpoints: {
    [REVIEWS]: [
      endpoint('10.0.0.1', HTTP, { labels: { app: 'reviews', version: 'v1' } }),
      endpoint('10.0.0.2', HTTP, { labels: { app: 'reviews', version: 'v2', track: 'canary' } }),
    ],
  },
  destinationRules: [
    destinationRule('reviews', 'bookstore', { host: REVIEWS, subsets: [{ name: 'v1', labels: { version: 'v1' } }] }),
    destinationRule('reviews-for-cart', 'shop', {
      host: REVIEWS,
      workloadSelector: { matchLabels: { app: 'cart' } },
      trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'x-user' } } },
      subsets: [{ name: 'canary', labels: { track: 'canary' } }],
    }),
    destinationRule('reviews-in-shop', 'shop', { host: REVIEWS, trafficPolicy: { loadBalancer: { simple: 'RANDOM' } }, subsets: [{ name: 'shop', labels: { version: 'v1' } }] }),
  ],
});

const client = (type: ProxyType, namespace: string, app: string): ProxyNode => proxy(type, namespace, { app, 'pod-template-hash': `${app}-1` });
const cart = client('sidecar', 'shop', 'cart');
const web = client('sidecar', 'shop', 'web');
const outsider = client('sidecar', 'frontend', 'cart');
const outboundClusters = (node: ProxyNode): string[] => namesOf(generateFor(cdsGenerator, snap, node)).filter((n) => n.startsWith('outbound|'));

describe('DestinationRule workloadSelector', () => {
  it("gives the selected workload the rule's subsets and policy, and its namespace's other workloads the rule without a selector", () => {
    expect(outboundClusters(cart)).toEqual([cluster(''), cluster('canary')]);
    expect(resourceNamed(generateFor(cdsGenerator, snap, cart), cluster(''))['lbPolicy']).toBe('RING_HASH');
    expect(outboundClusters(web)).toEqual([cluster(''), cluster('shop')]);
    expect(resourceNamed(generateFor(cdsGenerator, snap, web), cluster(''))['lbPolicy']).toBe('RANDOM');
  });

  it('does not reach workloads of other namespaces, whatever their labels', () => {
    expect(outboundClusters(outsider)).toEqual([cluster(''), cluster('v1')]);
  });

  it("serves the selected workload's subset endpoints over EDS, for sidecars and proxyless clients alike", () => {
    const canary = resourceNamed(generateFor(edsGenerator, snap, cart), cluster('canary'))['endpoints'] as { lbEndpoints: { endpoint: { address: { socketAddress: { address: string } } } }[] }[];
    expect(canary.flatMap((l) => l.lbEndpoints.map((e) => e.endpoint.address.socketAddress.address))).toEqual(['10.0.0.2']);
    expect(namesOf(generateFor(edsGenerator, snap, web))).not.toContain(cluster('canary'));
    const grpcCart = client('proxyless', 'shop', 'cart');
    expect(namesOf(generateFor(edsGenerator, snap, grpcCart, [cluster('canary')]))).toEqual([cluster('canary')]);
    expect(namesOf(generateFor(cdsGenerator, snap, grpcCart, [cluster('canary')]))).toEqual([cluster('canary')]);
  });

  it("hashes the selected workload's default route on the rule's header, and only its", () => {
    const hashOf = (node: ProxyNode): unknown => {
      const config = generateFor(rdsGenerator, snap, node, ['9080'])[0]?.resource as { virtualHosts: { name: string; routes: { route: Record<string, unknown> }[] }[] };
      return config.virtualHosts.find((v) => v.name === `${REVIEWS}:9080`)?.routes[0]?.route['hashPolicy'];
    };
    expect(hashOf(cart)).toEqual([{ header: { headerName: 'x-user' } }]);
    expect(hashOf(web)).toBeUndefined();
  });

  it('keeps workloads the selector does not tell apart on one generated output', () => {
    const otherWeb = proxy('sidecar', 'shop', { app: 'web', version: 'v9' });
    expect(cdsGenerator.keyOf(web, snap)).toEqual(cdsGenerator.keyOf(otherWeb, snap));
    expect(cdsGenerator.keyOf(web, snap)).not.toEqual(cdsGenerator.keyOf(cart, snap));
    expect(edsGenerator.keyOf(web, snap)).toEqual(edsGenerator.keyOf(otherWeb, snap));
    expect(rdsGenerator.keyOf(web, snap)).not.toEqual(rdsGenerator.keyOf(cart, snap));
  });
});

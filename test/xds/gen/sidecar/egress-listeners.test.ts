/**
 * Sidecar egress listeners (Istio's buildSidecarOutboundListeners and
 * GetEgressListenerForRDS): one with a port makes only that port's
 * listener, for its own hosts; the catch-all adds the remaining ports
 * without touching a port an explicit listener claimed.
 */
import { describe, expect, it } from 'vitest';
import { ldsGenerator } from '../../../../src/xds/gen/lds/lds-generator.js';
import { rdsGenerator } from '../../../../src/xds/gen/rds/rds-generator.js';
import { ListenerType, RouteType } from '../../../../src/xds/proto/type-urls.js';
import { expectValidOnTheWire } from '../gateway/helpers/gateway-mesh.js';
import { generateFor, namesOf, resourceNamed } from '../helpers/generate.js';
import { fqdn, kubeService, port, proxy, sidecarResource, snapshot } from '../helpers/mesh-builder.js';
import { typedConfig, type Json } from './sidecar-test-helpers.js';

const reviews = kubeService('reviews', 'default', [port(9080, 'HTTP', 'http')], { clusterIP: '10.96.0.12' });
const ratings = kubeService('ratings', 'default', [port(9080, 'HTTP', 'http')], { clusterIP: '10.96.0.13' });
const shop = kubeService('cart', 'shop', [port(9080, 'HTTP', 'http'), port(8080, 'HTTP', 'http-alt')], { clusterIP: '10.96.1.2' });
const db = kubeService('db', 'shop', [port(5432, 'TCP', 'tcp')], { clusterIP: '10.96.1.3' });

function virtualHostNames(config: Json): string[] {
  return (config['virtualHosts'] as Json[]).map((v) => v['name'] as string);
}

describe('a Sidecar egress listener with a port', () => {
  const sidecar = sidecarResource('default', 'default', {
    egress: [{ port: { number: 9080, protocol: 'HTTP', name: 'http' }, hosts: ['./reviews.default.svc.cluster.local'] }],
  });
  const snap = snapshot({ services: [reviews, ratings, shop, db], sidecars: [sidecar] });
  const listeners = generateFor(ldsGenerator, snap, proxy('sidecar'));
  const routes = generateFor(rdsGenerator, snap, proxy('sidecar'));

  it("builds only that port's listener", () => {
    expect(namesOf(listeners)).toEqual(['virtualOutbound', '0.0.0.0_9080', 'virtualInbound']);
    expect(typedConfig((resourceNamed(listeners, '0.0.0.0_9080')['filterChains'] as Json[])[0] as Json)).toMatchObject({ rds: { routeConfigName: '9080' } });
  });

  it('routes "<port>" to its hosts only', () => {
    expect(namesOf(routes)).toEqual(['9080']);
    expect(virtualHostNames(resourceNamed(routes, '9080'))).toEqual([`${fqdn('reviews')}:9080`, 'allow_any']);
  });

  it('passes Envoy validation and the proto round trip', () => {
    expectValidOnTheWire(ListenerType, listeners);
    expectValidOnTheWire(RouteType, routes);
  });
});

describe('a port listener followed by the catch-all', () => {
  const sidecar = sidecarResource('default', 'default', {
    egress: [
      { port: { number: 9080, protocol: 'HTTP', name: 'http' }, hosts: ['./reviews.default.svc.cluster.local'] },
      { hosts: ['shop/*'] },
    ],
  });
  const snap = snapshot({ services: [reviews, ratings, shop, db], sidecars: [sidecar] });
  const listeners = generateFor(ldsGenerator, snap, proxy('sidecar'));
  const routes = generateFor(rdsGenerator, snap, proxy('sidecar'));

  it("adds the catch-all's other ports, but not its services on the claimed port", () => {
    expect(namesOf(listeners)).toEqual(['virtualOutbound', '0.0.0.0_8080', '0.0.0.0_9080', '10.96.1.3_5432', 'virtualInbound']);
    expect(virtualHostNames(resourceNamed(routes, '9080'))).toEqual([`${fqdn('reviews')}:9080`, 'allow_any']);
    expect(virtualHostNames(resourceNamed(routes, '8080'))).toEqual([`${fqdn('cart', 'shop')}:8080`, 'allow_any']);
  });

  it('answers a route name it does not build with the catch-all listener\'s services', () => {
    const asked = generateFor(rdsGenerator, snap, proxy('sidecar'), ['5432']);
    expect(virtualHostNames(resourceNamed(asked, '5432'))).toEqual(['allow_any']);
  });
});

describe('a TCP egress port listener', () => {
  it("listens on each of its services' VIPs at that port, towards the service's only port", () => {
    const sidecar = sidecarResource('default', 'default', { egress: [{ port: { number: 15432, protocol: 'TCP', name: 'pg' }, hosts: ['shop/db.shop.svc.cluster.local'] }] });
    const listeners = generateFor(ldsGenerator, snapshot({ services: [db, shop], sidecars: [sidecar] }), proxy('sidecar'));
    const listener = resourceNamed(listeners, '10.96.1.3_15432');
    // Istio's buildSidecarOutboundTCPFilterChainOpts: a listener port the service lacks maps to its only port.
    expect(typedConfig((listener['filterChains'] as Json[])[0] as Json)).toMatchObject({ cluster: `outbound|5432||${fqdn('db', 'shop')}` });
    expect(namesOf(listeners)).toEqual(['virtualOutbound', '10.96.1.3_15432', 'virtualInbound']);
  });
});

describe('egress scope in the key', () => {
  it('keys on the applying Sidecar', () => {
    const sidecar = sidecarResource('only-shop', 'default', { workloadSelector: { matchLabels: { app: 'a' } }, egress: [{ hosts: ['shop/*'] }] });
    const snap = snapshot({ services: [reviews, shop], sidecars: [sidecar] });
    expect(ldsGenerator.keyOf(proxy('sidecar', 'default', { app: 'a' }), snap)).not.toEqual(ldsGenerator.keyOf(proxy('sidecar', 'default', { app: 'b' }), snap));
    expect(rdsGenerator.keyOf(proxy('sidecar', 'default', { app: 'a' }), snap)).not.toEqual(rdsGenerator.keyOf(proxy('sidecar', 'default', { app: 'b' }), snap));
  });
});

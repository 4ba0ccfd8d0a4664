/**
 * A small mesh for route translation tests: reviews (9080 HTTP, 9090 HTTP)
 * and ratings in "default", and the routes a sidecar or a proxyless client
 * gets for reviews:9080 from the VirtualService and DestinationRules given.
 */
import { MESH_GATEWAY } from '../../../../../src/model/gateway-names.js';
import type { DestinationRuleSpec, HTTPRoute, IstioConfig, MeshSnapshot, VirtualServiceSpec } from '../../../../../src/model/types.js';
import { rdsGenerator } from '../../../../../src/xds/gen/rds/rds-generator.js';
import type { RouteContext } from '../../../../../src/xds/gen/rds/route-context.js';
import { translateHttpRoutes } from '../../../../../src/xds/gen/rds/translate-http-route.js';
import { generateFor } from '../../helpers/generate.js';
import { fqdn, kubeService, port, proxy, snapshot, virtualService } from '../../helpers/mesh-builder.js';

export const REVIEWS = fqdn('reviews');
export const RATINGS = fqdn('ratings');
export const reviewsService = kubeService('reviews', 'default', [port(9080, 'HTTP', 'http'), port(9090, 'HTTP', 'http-admin')], { clusterIP: '10.96.0.12' });
export const ratingsService = kubeService('ratings', 'default', [port(9080, 'HTTP', 'http')]);

export type Client = 'sidecar' | 'proxyless';
export type RouteConfig = { name: string; virtualHosts: { name: string; domains: string[]; routes: Record<string, unknown>[] }[] };

export function routeMesh(http: readonly HTTPRoute[], extra: { destinationRules?: readonly IstioConfig<DestinationRuleSpec>[]; virtualServices?: readonly IstioConfig<VirtualServiceSpec>[] } = {}): MeshSnapshot {
  return snapshot({
    services: [reviewsService, ratingsService],
    virtualServices: [virtualService('reviews', 'default', { hosts: [REVIEWS], http }), ...(extra.virtualServices ?? [])],
    destinationRules: extra.destinationRules ?? [],
  });
}

/** The whole route configuration a client gets for reviews:9080. */
export function routeConfigFor(snap: MeshSnapshot, client: Client = 'sidecar'): RouteConfig {
  const names = client === 'sidecar' ? ['9080'] : ['reviews:9080'];
  const found = generateFor(rdsGenerator, snap, proxy(client), names)[0];
  if (!found) throw new Error(`no route configuration for ${client}`);
  return found.resource as unknown as RouteConfig;
}

/** The routes of the reviews:9080 virtual host. */
export function reviewsRoutes(snap: MeshSnapshot, client: Client = 'sidecar'): Record<string, unknown>[] {
  const vhost = routeConfigFor(snap, client).virtualHosts.find((v) => v.name === `${REVIEWS}:9080`);
  if (!vhost) throw new Error('no reviews virtual host');
  return vhost.routes;
}

export function routesOf(http: readonly HTTPRoute[], client: Client = 'sidecar'): Record<string, unknown>[] {
  return reviewsRoutes(routeMesh(http), client);
}

/** Translation with a hand-made context: for client attributes (labels, gateway, TLS) the generators' keys do not carry yet. */
export function translateWith(http: readonly HTTPRoute[], context: Partial<RouteContext>): Record<string, unknown>[] {
  const snap = routeMesh(http);
  const vs = virtualService('reviews', 'default', { hosts: [REVIEWS], http });
  return translateHttpRoutes(vs, { snapshot: snap, listenerPort: 9080, client: 'envoy', proxyNamespace: 'default', gateway: MESH_GATEWAY, ...context });
}

export const toReviews = (subset?: string): HTTPRoute['route'] => [{ destination: { host: REVIEWS, ...(subset ? { subset } : {}) } }];

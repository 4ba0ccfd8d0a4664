/**
 * HttpConnectionManager configs that take their routes over RDS from this
 * server. The HTTP filters are those the routes' per-filter configs need,
 * in Istio's order (its buildHTTPConnectionManager): fault, CORS, router.
 * Proxyless gRPC gets Istio's grpcgen chain, fault and router: gRPC NACKs a
 * listener naming a filter it does not implement, and it has no CORS.
 */
import { adsConfigSource } from '../common/config-source.js';
import type { ClientKind } from '../common/proxy-kind.js';
import {
  CORS_FILTER,
  CORS_TYPE,
  FAULT_FILTER,
  HTTP_CONNECTION_MANAGER_TYPE,
  HTTP_FAULT_TYPE,
  ROUTER_FILTER,
  ROUTER_TYPE,
} from '../common/type-names.js';

/** The router must be the last HTTP filter: Envoy requires a terminal filter, and gRPC rejects a chain without one last. */
function routerFilter(): Record<string, unknown> {
  return { name: ROUTER_FILTER, typedConfig: { '@type': ROUTER_TYPE } };
}

/** Empty filter configs: they do nothing until a route's typedPerFilterConfig turns them on. */
function faultFilter(): Record<string, unknown> {
  return { name: FAULT_FILTER, typedConfig: { '@type': HTTP_FAULT_TYPE } };
}

function corsFilter(): Record<string, unknown> {
  return { name: CORS_FILTER, typedConfig: { '@type': CORS_TYPE } };
}

/** Without a client kind: the chain every client accepts (gRPC's). */
export function httpFilters(client?: ClientKind): Record<string, unknown>[] {
  return client === 'envoy' ? [faultFilter(), corsFilter(), routerFilter()] : [faultFilter(), routerFilter()];
}

/**
 * `statPrefix` is required by Envoy's validation rules (min_len 1), even
 * where a gRPC client ignores it. Envoy callers pass 'envoy' to get CORS.
 */
export function rdsHttpConnectionManager(routeConfigName: string, statPrefix: string, client: ClientKind): Record<string, unknown> {
  const hcm: Record<string, unknown> = { '@type': HTTP_CONNECTION_MANAGER_TYPE, statPrefix };
  hcm['rds'] = { configSource: adsConfigSource(), routeConfigName };
  hcm['httpFilters'] = httpFilters(client);
  return hcm;
}

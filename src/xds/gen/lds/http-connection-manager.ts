/** HttpConnectionManager configs that take their routes over RDS from this server. */
import { adsConfigSource } from '../common/config-source.js';
import { HTTP_CONNECTION_MANAGER_TYPE, ROUTER_TYPE, ROUTER_FILTER } from '../common/type-names.js';

/** The router must be the last HTTP filter: Envoy requires a terminal filter, and gRPC rejects a chain without one last. */
function routerFilter(): Record<string, unknown> {
  return { name: ROUTER_FILTER, typedConfig: { '@type': ROUTER_TYPE } };
}

/** `statPrefix` is required by Envoy's validation rules (min_len 1), even where a gRPC client ignores it. */
export function rdsHttpConnectionManager(routeConfigName: string, statPrefix: string): Record<string, unknown> {
  const hcm: Record<string, unknown> = { '@type': HTTP_CONNECTION_MANAGER_TYPE, statPrefix };
  hcm['rds'] = { configSource: adsConfigSource(), routeConfigName };
  hcm['httpFilters'] = [routerFilter()];
  return hcm;
}

/**
 * Hand-written Envoy resources for the simulator's own tests, shaped as
 * generators write them, so that these tests do not depend on tsiod's
 * generators.
 */
import type { NamedResource, XdsResources } from './xds-view.js';

const T = 'type.googleapis.com/';

export function socket(address: string, port: number): Record<string, unknown> {
  return { socketAddress: { address, portValue: port } };
}

export function hcmFilter(routeConfigName: string, httpFilters: readonly string[] = ['envoy.filters.http.router']): Record<string, unknown> {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typedConfig: {
      '@type': `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
      statPrefix: `hcm_${routeConfigName}`,
      rds: { configSource: { ads: {}, resourceApiVersion: 'V3' }, routeConfigName },
      httpFilters: httpFilters.map((name) => ({ name, typedConfig: { '@type': `${T}placeholder.${name}` } })),
    },
  };
}

export function tcpFilter(cluster: string): Record<string, unknown> {
  return {
    name: 'envoy.filters.network.tcp_proxy',
    typedConfig: { '@type': `${T}envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`, statPrefix: cluster, cluster },
  };
}

export function listener(name: string, address: string, port: number, fields: Record<string, unknown>): NamedResource {
  return { name, resource: { name, address: socket(address, port), ...fields } };
}

export function chain(name: string, filters: readonly Record<string, unknown>[], filterChainMatch?: Record<string, unknown>): Record<string, unknown> {
  return { name, ...(filterChainMatch ? { filterChainMatch } : {}), filters };
}

export function routeConfig(name: string, virtualHosts: readonly Record<string, unknown>[], extra: Record<string, unknown> = {}): NamedResource {
  return { name, resource: { name, virtualHosts, ...extra } };
}

export function virtualHost(name: string, domains: readonly string[], routes: readonly Record<string, unknown>[]): Record<string, unknown> {
  return { name, domains, routes };
}

export function routeTo(cluster: string, match: Record<string, unknown> = { prefix: '/' }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { match, route: { cluster }, ...extra };
}

export function edsCluster(name: string, fields: Record<string, unknown> = {}): NamedResource {
  return { name, resource: { name, type: 'EDS', edsClusterConfig: { edsConfig: { ads: {} }, serviceName: name }, ...fields } };
}

export function assignment(clusterName: string, addresses: readonly string[]): NamedResource {
  const lbEndpoints = addresses.map((a) => {
    const [ip, port] = a.split(':');
    return { endpoint: { address: socket(ip ?? '', Number(port)) } };
  });
  return { name: clusterName, resource: { clusterName, endpoints: [{ lbEndpoints }] } };
}

export function resources(parts: Partial<XdsResources>): XdsResources {
  return { listeners: [], routes: [], clusters: [], endpoints: [], ...parts };
}

/** A sidecar's outbound listeners: virtualOutbound with a passthrough chain, and 0.0.0.0_<port> HTTP listeners. */
export function sidecarListeners(httpPorts: readonly number[]): NamedResource[] {
  return [
    listener('virtualOutbound', '0.0.0.0', 15001, {
      useOriginalDst: { value: true },
      filterChains: [chain('virtualOutbound-catchall-tcp', [tcpFilter('PassthroughCluster')])],
    }),
    ...httpPorts.map((p) => listener(`0.0.0.0_${p}`, '0.0.0.0', p, { bindToPort: { value: false }, filterChains: [chain('', [hcmFilter(String(p))])] })),
  ];
}

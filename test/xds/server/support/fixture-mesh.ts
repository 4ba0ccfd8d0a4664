/**
 * A small mesh and a matching set of generators for protocol tests: the
 * tests control exactly which resources exist and when they change, which
 * the real translation would obscure. Resources are real Envoy messages.
 */
import type { MeshSnapshot, MeshService, WorkloadEndpoint } from '../../../../src/model/types.js';
import { DEFAULT_MESH_CONFIG } from '../../../../src/model/types.js';
import { snapshotFromData } from '../../../../src/model/serialize-snapshot.js';
import type { GeneratedResource, ResourceGenerator } from '../../../../src/xds/gen/generator.js';
import { ClusterType, EndpointType, ListenerType, RouteType, type XdsTypeUrl } from '../../../../src/xds/proto/type-urls.js';

export type MeshShape = Record<string, readonly string[]>; // host → endpoint addresses

let snapshotId = 0;
export function fixtureSnapshot(shape: MeshShape): MeshSnapshot {
  const services = new Map<string, MeshService>();
  const endpoints = new Map<string, readonly WorkloadEndpoint[]>();
  for (const [host, addresses] of Object.entries(shape)) {
    services.set(host, {
      hostname: host, name: host.split('.')[0]!, namespace: 'default', ports: [{ name: 'http', port: 80, protocol: 'HTTP' }],
      labels: {}, origin: 'kubernetes', resolution: 'EDS', meshExternal: false, exportTo: ['*'],
    });
    endpoints.set(host, addresses.map((address) => ({
      address, port: 8080, servicePortName: 'http', servicePort: 80, labels: {}, ready: true,
    })));
  }
  return snapshotFromData({ id: ++snapshotId, mesh: DEFAULT_MESH_CONFIG, services: [...services.values()], endpoints: Object.fromEntries(endpoints) });
}

export const clusterName = (host: string): string => `outbound|80||${host}`;
const hostOf = (cluster: string): string => cluster.split('|')[3] ?? '';

const cds: ResourceGenerator = {
  typeUrl: ClusterType,
  keyOf: () => ({}),
  generate(snapshot, _key, names) {
    const out: GeneratedResource[] = [];
    for (const host of snapshot.services.keys()) {
      const name = clusterName(host);
      if (names && !names.has(name)) continue;
      out.push({ name, resource: { name, type: 'EDS', edsClusterConfig: { edsConfig: { ads: {}, resourceApiVersion: 'V3' } }, connectTimeout: { seconds: 10 } } });
    }
    return out;
  },
};

const eds: ResourceGenerator = {
  typeUrl: EndpointType,
  keyOf: () => ({}),
  generate(snapshot, _key, names) {
    const wanted = names ?? new Set([...snapshot.services.keys()].map(clusterName));
    const out: GeneratedResource[] = [];
    for (const name of wanted) {
      const eps = snapshot.endpoints.get(hostOf(name));
      if (!snapshot.services.has(hostOf(name)) || !eps) continue;
      out.push({
        name,
        resource: {
          clusterName: name,
          endpoints: [{ lbEndpoints: eps.map((e) => ({ endpoint: { address: { socketAddress: { address: e.address, portValue: e.port } } } })) }],
        },
      });
    }
    return out;
  },
  affectedByEndpoints: (_snapshot, _key, hosts) => new Set([...hosts].map(clusterName)),
};

const lds: ResourceGenerator = {
  typeUrl: ListenerType,
  keyOf: () => ({}),
  generate(snapshot, _key, names) {
    if (snapshot.services.size === 0 || (names && !names.has('0.0.0.0_80'))) return [];
    return [{
      name: '0.0.0.0_80',
      resource: {
        name: '0.0.0.0_80',
        address: { socketAddress: { address: '0.0.0.0', portValue: 80 } },
        filterChains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typedConfig: {
          '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
          statPrefix: 'outbound_0.0.0.0_80',
          rds: { routeConfigName: '80', configSource: { ads: {}, resourceApiVersion: 'V3' } },
          httpFilters: [{ name: 'envoy.filters.http.router', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
        } }] }],
      },
    }];
  },
};

const rds: ResourceGenerator = {
  typeUrl: RouteType,
  keyOf: () => ({}),
  generate(snapshot, _key, names) {
    if (names && !names.has('80')) return [];
    return [{
      name: '80',
      resource: {
        name: '80',
        virtualHosts: [...snapshot.services.keys()].map((host) => ({
          name: `${host}:80`, domains: [host],
          routes: [{ match: { prefix: '/' }, route: { cluster: clusterName(host) } }],
        })),
      },
    }];
  },
};

export const fixtureGenerators: ReadonlyMap<XdsTypeUrl, ResourceGenerator> = new Map<XdsTypeUrl, ResourceGenerator>([
  [ClusterType, cds], [EndpointType, eds], [ListenerType, lds], [RouteType, rds],
]);

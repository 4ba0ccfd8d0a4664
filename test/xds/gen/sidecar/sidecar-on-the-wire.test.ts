/**
 * One mesh exercising everything a sidecar now gets (inbound chains and
 * clusters, Sidecar ingress and egress ports, its outbound policy, TCP and
 * TLS routes, TPROXY): every listener, cluster and route configuration
 * passes Envoy's validation rules and survives the proto round trip.
 */
import { describe, expect, it } from 'vitest';
import type { ProxyNode } from '../../../../src/model/proxy.js';
import { cdsGenerator } from '../../../../src/xds/gen/cds/cds-generator.js';
import { ldsGenerator } from '../../../../src/xds/gen/lds/lds-generator.js';
import { rdsGenerator } from '../../../../src/xds/gen/rds/rds-generator.js';
import { ClusterType, ListenerType, RouteType } from '../../../../src/xds/proto/type-urls.js';
import { expectValidOnTheWire } from '../gateway/helpers/gateway-mesh.js';
import { generateFor, namesOf } from '../helpers/generate.js';
import { endpoint, fqdn, kubeService, port, sidecarResource, snapshot, virtualService } from '../helpers/mesh-builder.js';
import { workloadProxy } from './sidecar-test-helpers.js';

const web = port(8080, 'HTTP', 'http');
const grpc = port(7070, 'GRPC', 'grpc');
const frontend = kubeService('frontend', 'default', [web, grpc], { clusterIP: '10.96.0.10' });
const db = kubeService('db', 'default', [port(5432, 'TCP', 'tcp')], { clusterIP: '10.96.0.20' });
const dbV2 = kubeService('db-v2', 'default', [port(5432, 'TCP', 'tcp')], { clusterIP: '10.96.0.21' });
const api = kubeService('api', 'shop', [port(443, 'HTTPS', 'https')], { clusterIP: '10.96.1.30' });
const mongo = kubeService('mongo', 'shop', [port(27017, 'MONGO', 'mongo')], { clusterIP: '10.96.1.40' });

const mesh = snapshot({
  services: [frontend, db, dbV2, api, mongo],
  endpoints: { [frontend.hostname]: [endpoint('10.1.0.1', web, { port: 8081 }), endpoint('10.1.0.1', grpc)] },
  virtualServices: [
    virtualService('db', 'default', {
      hosts: [fqdn('db')],
      tcp: [
        { match: [{ destinationSubnets: ['10.96.0.0/16'] }], route: [{ destination: { host: fqdn('db-v2') } }] },
        { route: [{ destination: { host: fqdn('db') }, weight: 90 }, { destination: { host: fqdn('db-v2') }, weight: 10 }] },
      ],
    }),
    virtualService('api', 'shop', { hosts: [fqdn('api', 'shop')], tls: [{ match: [{ sniHosts: [fqdn('api', 'shop'), 'api.example.com'] }], route: [{ destination: { host: fqdn('api', 'shop') } }] }] }),
  ],
  sidecars: [
    sidecarResource('locked', 'shop', {
      ingress: [
        { port: { number: 9443, protocol: 'HTTP2', name: 'h2' }, defaultEndpoint: '0.0.0.0:9000' },
        { port: { number: 9444, protocol: 'TCP', name: 'uds' }, defaultEndpoint: 'unix:///var/run/app.sock', captureMode: 'NONE' },
      ],
      egress: [{ port: { number: 8080, protocol: 'HTTP', name: 'http' }, hosts: ['default/frontend.default.svc.cluster.local'] }, { hosts: ['./*', 'default/*'] }],
      outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'egress.istio-system.svc.cluster.local', port: { number: 443 } } },
    }),
  ],
});

const proxies: readonly [string, ProxyNode][] = [
  ['a workload serving HTTP and gRPC', workloadProxy('frontend')],
  ['the same workload under TPROXY', workloadProxy('frontend', 'default', { interceptionMode: 'TPROXY' })],
  ['a workload with Sidecar ingress, egress and egress proxy', workloadProxy('api', 'shop')],
  ['a workload without capture', workloadProxy('api', 'shop', { interceptionMode: 'NONE' })],
];

describe('sidecar resources on the wire', () => {
  for (const [label, node] of proxies) {
    it(`${label}: listeners, clusters and routes are valid and round-trip`, () => {
      const listeners = generateFor(ldsGenerator, mesh, node);
      const clusters = generateFor(cdsGenerator, mesh, node);
      const routes = generateFor(rdsGenerator, mesh, node);
      expect(namesOf(clusters)).toContain('InboundPassthroughCluster');
      expect(listeners.length).toBeGreaterThan(0);
      expectValidOnTheWire(ListenerType, listeners);
      expectValidOnTheWire(ClusterType, clusters);
      expectValidOnTheWire(RouteType, routes);
    });
  }
});

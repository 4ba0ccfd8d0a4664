/**
 * One mesh using every traffic-policy feature at once: every cluster and
 * load assignment generated for a sidecar, a gateway and a proxyless client
 * passes Envoy's validate.rules and survives a trip through the protos.
 */
import { describe, expect, it } from 'vitest';
import type { ProxyNode } from '../../../../src/model/proxy.js';
import type { GeneratedResource } from '../../../../src/xds/gen/generator.js';
import { cdsGenerator } from '../../../../src/xds/gen/cds/cds-generator.js';
import { edsGenerator } from '../../../../src/xds/gen/eds/eds-generator.js';
import { typeForUrl } from '../../../../src/xds/proto/envoy-protos.js';
import { ClusterType, EndpointType } from '../../../../src/xds/proto/type-urls.js';
import { envoyValidator } from '../../../../src/xds/validate/envoy-validator.js';
import { generateFor } from '../helpers/generate.js';
import { destinationRule, endpoint, fqdn, kubeService, port, proxy, serviceEntry, snapshot } from '../helpers/mesh-builder.js';
import { canonical } from '../helpers/proto-round-trip.js';

const http = port(9080, 'HTTP', 'http');
const grpc = port(7070, 'GRPC', 'grpc');
const tcp = port(3306, 'TCP', 'tcp');
const https = port(443, 'TLS', 'tls');
const REVIEWS = fqdn('reviews');

const located = (address: string, p: typeof http, region: string, zone: string, version: string): ReturnType<typeof endpoint> =>
  endpoint(address, p, { locality: { region, zone }, labels: { app: 'reviews', version }, serviceAccount: `reviews-${version}`, tlsMode: 'istio', workloadName: `pod/default/reviews-${version}-abc` });

const mesh = snapshot({
  services: [kubeService('reviews', 'default', [http, grpc, tcp]), serviceEntry('api.example.com', 'default', 'DNS', [https]), serviceEntry('db.internal', 'default', 'DNS', [tcp]), serviceEntry('ledger.internal', 'default', 'STATIC', [tcp])],
  endpoints: {
    [REVIEWS]: [http, grpc, tcp].flatMap((p) => [located('10.0.0.1', p, 'us', 'east', 'v1'), located('10.0.0.2', p, 'us', 'west', 'v2'), located('10.0.0.3', p, 'eu', 'west', 'v3')]),
    'db.internal': [endpoint('192.168.0.1', tcp, { locality: { region: 'us', zone: 'east' }, weight: 3 }), endpoint('192.168.0.2', tcp, { locality: { region: 'eu' } })],
    'ledger.internal': [endpoint('192.168.1.1', tcp, { weight: 2 })],
  },
  destinationRules: [
    destinationRule('reviews', 'default', {
      host: REVIEWS,
      trafficPolicy: {
        connectionPool: {
          tcp: { maxConnections: 100, connectTimeout: '3s', tcpKeepalive: { probes: 3, time: '600s', interval: '60s' }, maxConnectionDuration: '1h', idleTimeout: '30m' },
          http: { http1MaxPendingRequests: 10, http2MaxRequests: 500, maxRequestsPerConnection: 10, maxRetries: 4, idleTimeout: '60s', maxConcurrentStreams: 50, http2KeepAlive: { interval: '30s', timeout: '5s' } },
        },
        outlierDetection: { consecutive5xxErrors: 5, consecutiveGatewayErrors: 2, splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 3, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50, minHealthPercent: 20 },
        loadBalancer: { simple: 'ROUND_ROBIN', warmup: { duration: '45s', minimumPercent: 20, aggression: 2 }, localityLbSetting: { failover: [{ from: 'us', to: 'eu' }], failoverPriority: ['version'] } },
        tls: { mode: 'ISTIO_MUTUAL' },
        retryBudget: { percent: 25, minRetryConcurrency: 5 },
        portLevelSettings: [
          { port: { number: 3306 }, loadBalancer: { consistentHash: { useSourceIp: true, maglev: { tableSize: 65537 } } }, tls: { mode: 'DISABLE' } },
          { port: { number: 7070 }, loadBalancer: { consistentHash: { httpHeaderName: 'x-user', ringHash: { minimumRingSize: 4096 } } }, outlierDetection: { consecutive5xxErrors: 3 }, connectionPool: { http: { http2MaxRequests: 100, useClientProtocol: true } } },
        ],
      },
      subsets: [
        { name: 'v1', labels: { version: 'v1' }, trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST', warmupDurationSecs: '30s', localityLbSetting: { distribute: [{ from: 'us/*', to: { 'us/*': 70, 'eu/*': 30 } }] } } } },
        { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL', sni: 'v2.reviews', subjectAltNames: ['spiffe://cluster.local/ns/default/sa/reviews-v2'] }, connectionPool: { http: { h2UpgradePolicy: 'UPGRADE' } } } },
        { name: 'direct', labels: { version: 'v3' }, trafficPolicy: { loadBalancer: { simple: 'PASSTHROUGH' } } },
      ],
    }),
    destinationRule('api', 'default', {
      host: 'api.example.com',
      trafficPolicy: {
        tls: { mode: 'SIMPLE', sni: 'api.example.com', subjectAltNames: ['api.example.com'], caCertificates: '/etc/ca.pem', caCrl: '/etc/crl.pem' },
        loadBalancer: { simple: 'RANDOM' },
      },
      subsets: [
        { name: 'mtls', trafficPolicy: { tls: { mode: 'MUTUAL', clientCertificate: '/c/cert.pem', privateKey: '/c/key.pem', insecureSkipVerify: true } } },
        { name: 'credential', trafficPolicy: { tls: { mode: 'MUTUAL', credentialName: 'api-client' } } },
        { name: 'system', trafficPolicy: { tls: { mode: 'SIMPLE' } } },
      ],
    }),
    destinationRule('db', 'default', {
      host: 'db.internal',
      trafficPolicy: { outlierDetection: { consecutive5xxErrors: 1 }, loadBalancer: { localityLbSetting: { distribute: [{ from: '*', to: { 'us/*': 100 } }] } } },
    }),
  ],
});

const clients: Record<string, ProxyNode> = {
  sidecar: { ...proxy('sidecar', 'default', { version: 'v1' }), locality: { region: 'us', zone: 'east' } },
  gateway: { ...proxy('router', 'istio-system', { istio: 'ingressgateway' }), locality: { region: 'eu', zone: 'west' } },
  proxyless: { ...proxy('proxyless', 'default'), locality: { region: 'us', zone: 'west' } },
};

function expectValidOnTheWire(typeUrl: string, resources: readonly GeneratedResource[]): void {
  const type = typeForUrl(typeUrl);
  for (const r of resources) {
    const bytes = type.encode(type.fromObject(r.resource as Record<string, unknown>)).finish();
    expect(envoyValidator().validateEncoded(type, bytes).map((v) => `${r.name}: ${v.rule} @ ${v.path}`)).toEqual([]);
    const decoded = type.toObject(type.decode(bytes), { enums: String, longs: Number, bytes: String, defaults: false, json: true });
    expect(canonical(decoded), r.name).toEqual(canonical(r.resource));
  }
}

describe('every traffic-policy feature together is valid Envoy config', () => {
  for (const [label, node] of Object.entries(clients)) {
    it(`CDS for a ${label}`, () => {
      const clusters = generateFor(cdsGenerator, mesh, node);
      expect(clusters.length).toBeGreaterThan(5);
      expectValidOnTheWire(ClusterType, clusters);
    });

    it(`EDS for a ${label}`, () => {
      const assignments = generateFor(edsGenerator, mesh, node);
      expect(assignments.length).toBeGreaterThan(5);
      expectValidOnTheWire(EndpointType, assignments);
    });
  }

  it('the mesh exercises what it claims: TLS of every mode, every lb policy, locality priorities', () => {
    const sidecar = JSON.stringify(generateFor(cdsGenerator, mesh, clients['sidecar'] as ProxyNode));
    const gateway = JSON.stringify(generateFor(cdsGenerator, mesh, clients['gateway'] as ProxyNode));
    for (const fragment of ['"MAGLEV"', '"RING_HASH"', '"LEAST_REQUEST"', '"RANDOM"', '"ROUND_ROBIN"', '"CLUSTER_PROVIDED"', 'ROOTCA', 'tlsCertificates', 'autoSni', 'useDownstreamProtocolConfig', 'upstreamConnectionOptions', 'outlierDetection', 'localityWeightedLbConfig', 'budgetPercent']) {
      expect(sidecar, fragment).toContain(fragment);
    }
    expect(gateway).toContain('kubernetes://api-client');
    expect(JSON.stringify(generateFor(edsGenerator, mesh, clients['sidecar'] as ProxyNode))).toContain('"priority"');
  });
});

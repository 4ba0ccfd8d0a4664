/**
 * A sidecar's inbound clusters (Istio's buildInboundClusters,
 * buildInboundCluster and buildInboundPassthroughCluster) under the mesh's
 * default inboundTrafficPolicy PASSTHROUGH: traffic goes to the original
 * destination (the pod IP) from 127.0.0.6, which iptables does not capture.
 */
import { describe, expect, it } from 'vitest';
import { cdsGenerator } from '../../../../src/xds/gen/cds/cds-generator.js';
import { ldsGenerator } from '../../../../src/xds/gen/lds/lds-generator.js';
import { ClusterType } from '../../../../src/xds/proto/type-urls.js';
import { expectValidOnTheWire } from '../gateway/helpers/gateway-mesh.js';
import { generateFor, namesOf, resourceNamed } from '../helpers/generate.js';
import { endpoint, kubeService, port, proxy, sidecarResource, snapshot } from '../helpers/mesh-builder.js';
import { workloadProxy } from './sidecar-test-helpers.js';

// A named targetPort: the workload's port comes from its own endpoint (9081).
const http = { ...port(9080, 'HTTP', 'http'), targetPort: 'web' };
const grpc = port(7070, 'GRPC', 'grpc');
const reviews = kubeService('reviews', 'default', [http, grpc], { clusterIP: '10.96.0.12' });
const snap = snapshot({ services: [reviews], endpoints: { [reviews.hostname]: [endpoint('10.1.0.1', http, { port: 9081 }), endpoint('10.1.0.1', grpc)] } });

const PASSTHROUGH_BIND = { sourceAddress: { address: '127.0.0.6', portValue: 0 } };
const MAX = { value: 4294967295 };
// Istio's getDefaultCircuitBreakerThresholds, applied to inbound clusters as to outbound ones.
const DEFAULT_CIRCUIT_BREAKERS = { thresholds: [{ maxConnections: MAX, maxPendingRequests: MAX, maxRequests: MAX, maxRetries: MAX, trackRemaining: true }] };

describe('inbound clusters from the workload services', () => {
  const clusters = generateFor(cdsGenerator, snap, workloadProxy('reviews'));

  it('one ORIGINAL_DST cluster per workload port, never cleaned up, bound to 127.0.0.6', () => {
    expect(resourceNamed(clusters, 'inbound|9081||')).toEqual({
      name: 'inbound|9081||',
      type: 'ORIGINAL_DST',
      connectTimeout: { seconds: 10 },
      lbPolicy: 'CLUSTER_PROVIDED',
      cleanupInterval: { seconds: 9223372035 },
      upstreamBindConfig: PASSTHROUGH_BIND,
      circuitBreakers: DEFAULT_CIRCUIT_BREAKERS,
    });
  });

  it('speaks HTTP/2 to the workload on gRPC ports', () => {
    expect(resourceNamed(clusters, 'inbound|7070||')['typedExtensionProtocolOptions']).toMatchObject({
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { explicitHttpConfig: { http2ProtocolOptions: {} } },
    });
  });

  it('adds InboundPassthroughCluster, which keeps the downstream HTTP version', () => {
    expect(resourceNamed(clusters, 'InboundPassthroughCluster')).toEqual({
      name: 'InboundPassthroughCluster',
      type: 'ORIGINAL_DST',
      connectTimeout: { seconds: 10 },
      lbPolicy: 'CLUSTER_PROVIDED',
      typedExtensionProtocolOptions: {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
          '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
          commonHttpProtocolOptions: { idleTimeout: { seconds: 300 } },
          useDownstreamProtocolConfig: { httpProtocolOptions: {}, http2ProtocolOptions: {} },
        },
      },
      upstreamBindConfig: PASSTHROUGH_BIND,
      circuitBreakers: DEFAULT_CIRCUIT_BREAKERS,
    });
  });

  it('gives gateways and proxyless clients no inbound clusters', () => {
    for (const kind of ['router', 'proxyless'] as const) {
      expect(namesOf(generateFor(cdsGenerator, snap, proxy(kind, 'default', { app: 'reviews' }))).filter((n) => /^inbound\||^InboundPassthrough/.test(n))).toEqual([]);
    }
  });

  it('pass Envoy validation and the proto round trip', () => {
    expectValidOnTheWire(ClusterType, clusters);
  });
});

describe('inbound clusters from Sidecar ingress listeners', () => {
  const sidecar = sidecarResource('reviews', 'default', {
    workloadSelector: { matchLabels: { app: 'reviews' } },
    ingress: [
      { port: { number: 8443, protocol: 'HTTP', name: 'loopback' }, defaultEndpoint: '127.0.0.1:8080' },
      { port: { number: 8444, protocol: 'TCP', name: 'pod-ip' }, defaultEndpoint: '0.0.0.0:8081' },
      { port: { number: 8445, protocol: 'TCP', name: 'socket' }, defaultEndpoint: 'unix:///var/run/app.sock' },
      { port: { number: 8446, protocol: 'TCP', name: 'original' } },
    ],
  });
  const clusters = generateFor(cdsGenerator, snapshot({ services: [reviews], sidecars: [sidecar] }), workloadProxy('reviews'));

  it('replace the service-derived ones', () => {
    expect(namesOf(clusters).filter((n) => n.startsWith('inbound|'))).toEqual(['inbound|8443||', 'inbound|8444||', 'inbound|8445||', 'inbound|8446||']);
  });

  it('send to loopback as a STATIC cluster without a bind address (loopback is never captured)', () => {
    const cluster = resourceNamed(clusters, 'inbound|8443||');
    expect(cluster).toMatchObject({
      type: 'STATIC',
      loadAssignment: { clusterName: 'inbound|8443||', endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '127.0.0.1', portValue: 8080 } } } }] }] },
    });
    expect(cluster).not.toHaveProperty('upstreamBindConfig');
  });

  it("send 0.0.0.0 to the pod's own IP, from 127.0.0.6", () => {
    expect(resourceNamed(clusters, 'inbound|8444||')).toMatchObject({
      type: 'STATIC',
      loadAssignment: { endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '10.1.0.1', portValue: 8081 } } } }] }] },
      upstreamBindConfig: PASSTHROUGH_BIND,
    });
  });

  it('send to a Unix socket as a pipe address', () => {
    expect(resourceNamed(clusters, 'inbound|8445||')).toMatchObject({
      type: 'STATIC',
      loadAssignment: { endpoints: [{ lbEndpoints: [{ endpoint: { address: { pipe: { path: '/var/run/app.sock' } } } }] }] },
    });
  });

  it('without a defaultEndpoint forward to the original destination', () => {
    expect(resourceNamed(clusters, 'inbound|8446||')).toMatchObject({ type: 'ORIGINAL_DST', upstreamBindConfig: PASSTHROUGH_BIND });
  });

  it('pass Envoy validation and the proto round trip', () => {
    expectValidOnTheWire(ClusterType, clusters);
  });
});

describe('Sidecar inbound connection pools', () => {
  it("size the workload's side: a port's own pool wins over inboundConnectionPool (InboundConnectionPoolForPort)", () => {
    const sidecar = sidecarResource('reviews', 'default', {
      workloadSelector: { matchLabels: { app: 'reviews' } },
      inboundConnectionPool: { tcp: { maxConnections: 100 } },
      ingress: [
        { port: { number: 8443, protocol: 'HTTP', name: 'own' }, defaultEndpoint: '127.0.0.1:8080', connectionPool: { tcp: { maxConnections: 7 } } },
        { port: { number: 8444, protocol: 'HTTP', name: 'shared' }, defaultEndpoint: '127.0.0.1:8081' },
      ],
    });
    const snap = snapshot({ services: [reviews], sidecars: [sidecar] });
    const clusters = generateFor(cdsGenerator, snap, workloadProxy('reviews'));
    const maxConnections = (name: string): unknown => (resourceNamed(clusters, name)['circuitBreakers'] as { thresholds: Record<string, unknown>[] }).thresholds[0]?.['maxConnections'];
    expect(maxConnections('inbound|8443||')).toEqual({ value: 7 });
    expect(maxConnections('inbound|8444||')).toEqual({ value: 100 });
    expectValidOnTheWire(ClusterType, clusters);
    // The pool is in the clusters' key, and only there: the listeners do not change with it.
    const other = snapshot({ services: [reviews], sidecars: [{ ...sidecar, spec: { ...sidecar.spec, inboundConnectionPool: { tcp: { maxConnections: 5 } } } }] });
    expect(cdsGenerator.keyOf(workloadProxy('reviews'), other).inbound).not.toEqual(cdsGenerator.keyOf(workloadProxy('reviews'), snap).inbound);
    expect(ldsGenerator.keyOf(workloadProxy('reviews'), other)).toEqual(ldsGenerator.keyOf(workloadProxy('reviews'), snap));
  });
});

describe('inbound cluster key', () => {
  it('holds what the clusters depend on: equal for replicas, different for other ports or endpoints', () => {
    const key = (p: ReturnType<typeof proxy>): string => cdsGenerator.keyOf(p, snap).inbound;
    const replica = { ...workloadProxy('reviews'), podName: 'pod-2', ipAddresses: ['10.1.0.2'] };
    // The replica has no endpoint of its own here, so its HTTP port is the service port: a different cluster.
    expect(key(replica)).not.toEqual(key(workloadProxy('reviews')));
    const twin = snapshot({ services: [reviews], endpoints: { [reviews.hostname]: [endpoint('10.1.0.1', http, { port: 9081 }), endpoint('10.1.0.2', http, { port: 9081 }), endpoint('10.1.0.1', grpc), endpoint('10.1.0.2', grpc)] } });
    expect(cdsGenerator.keyOf(replica, twin).inbound).toEqual(cdsGenerator.keyOf(workloadProxy('reviews'), twin).inbound);
    expect(key(workloadProxy('ratings'))).not.toEqual(key(workloadProxy('reviews')));
    expect(cdsGenerator.keyOf(proxy('router'), snap).inbound).toBe('');
  });
});

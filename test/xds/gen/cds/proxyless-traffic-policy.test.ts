/**
 * Proxyless gRPC clusters carry only what gRPC clients implement, as
 * Istio's grpcgen sends: RING_HASH, outlier detection, and the
 * max_requests circuit breaker (gRFC A32).
 */
import { describe, expect, it } from 'vitest';
import type { TrafficPolicy } from '../../../../src/model/types.js';
import { proxy } from '../helpers/mesh-builder.js';
import { clusterOf, policyMesh, REVIEWS } from './helpers/policy-mesh.js';

const grpcCluster = (policy: TrafficPolicy, name = `outbound|7070||${REVIEWS}`): Record<string, unknown> => clusterOf(policyMesh(policy), name, proxy('proxyless'));

describe('proxyless clusters with a traffic policy', () => {
  it('RING_HASH with its ring size', () => {
    expect(grpcCluster({ loadBalancer: { consistentHash: { httpHeaderName: 'x-user', ringHash: { minimumRingSize: 2048 } } } })).toMatchObject({
      lbPolicy: 'RING_HASH',
      ringHashLbConfig: { minimumRingSize: { value: 2048 } },
    });
  });

  it('LEAST_REQUEST, RANDOM and MAGLEV stay ROUND_ROBIN: grpc-js and C-core reject other lb_policy values', () => {
    expect(grpcCluster({ loadBalancer: { simple: 'LEAST_REQUEST' } })['lbPolicy']).toBe('ROUND_ROBIN');
    expect(grpcCluster({ loadBalancer: { simple: 'RANDOM' } })['lbPolicy']).toBe('ROUND_ROBIN');
    expect(grpcCluster({ loadBalancer: { consistentHash: { httpHeaderName: 'x', maglev: { tableSize: 65537 } } } })['lbPolicy']).toBe('ROUND_ROBIN');
  });

  it('only max_requests of the connection pool, and the outlier detection', () => {
    const c = grpcCluster({
      connectionPool: { tcp: { maxConnections: 5, connectTimeout: '1s' }, http: { http2MaxRequests: 100, maxRetries: 3 } },
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s' },
    });
    expect(c['circuitBreakers']).toEqual({ thresholds: [{ maxRequests: { value: 100 } }] });
    expect(c['connectTimeout']).toEqual({ seconds: 10 });
    expect(c['outlierDetection']).toEqual({ enforcingSuccessRate: { value: 0 }, consecutive_5xx: { value: 5 }, enforcingConsecutive_5xx: { value: 100 }, interval: { seconds: 10 } });
  });

  // ISTIO_MUTUAL's certificate-provider TLS is covered by proxyless-mtls-cluster.test.ts.
  it('no commonLbConfig, no HTTP protocol options', () => {
    const c = grpcCluster({ connectionPool: { http: { idleTimeout: '5s' } }, outlierDetection: { consecutive5xxErrors: 1 } });
    expect(Object.keys(c).sort()).toEqual(['connectTimeout', 'edsClusterConfig', 'lbPolicy', 'name', 'outlierDetection', 'type']);
  });

  it('a subset policy applies to the subset cluster', () => {
    const snap = policyMesh(undefined, [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { loadBalancer: { consistentHash: { useSourceIp: true } } } }]);
    expect(clusterOf(snap, `outbound|7070|v1|${REVIEWS}`, proxy('proxyless'))['lbPolicy']).toBe('RING_HASH');
    expect(clusterOf(snap, `outbound|7070||${REVIEWS}`, proxy('proxyless'))['lbPolicy']).toBe('ROUND_ROBIN');
  });
});

/**
 * Seed example 2, "istio circuit breaking example". Istio's
 * applyConnectionPool / applyOutlierDetection (cluster_traffic_policy.go):
 * tcp.maxConnections → max_connections, http1MaxPendingRequests →
 * max_pending_requests, maxRequestsPerConnection → the upstream HTTP
 * protocol options; max_requests and max_retries keep Istio's defaults
 * (2^32-1); consecutive5xxErrors → consecutive_5xx enforced at 100%, with
 * success-rate ejection disabled.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { curlIstio, helloworldCluster, loadHelloworldExample, type HelloworldExample } from './helpers/helloworld.js';
import { simulate } from '../../simulation/simulate.js';
import { ingressGateway, proxyConfig, sidecarOf, wireProblems } from './helpers/proxy-config.js';

const UINT32_MAX = 4294967295;

describe('seed: istio circuit breaking example', () => {
  let example: HelloworldExample;
  beforeAll(async () => {
    example = await loadHelloworldExample('circuit-breaking');
  });

  it('sends /istio to the helloworld cluster', () => {
    expect(curlIstio(example.gateway).http?.action).toMatchObject({ kind: 'forward', targets: [{ cluster: helloworldCluster(), weight: 100 }] });
  });

  it('limits the cluster to one connection, one pending request and one request per connection', () => {
    const cluster = curlIstio(example.gateway).clusters[helloworldCluster()];
    expect(cluster?.circuitBreakers).toEqual({ maxConnections: 1, maxPendingRequests: 1, maxRequests: UINT32_MAX, maxRetries: UINT32_MAX });
    expect(cluster?.maxRequestsPerConnection).toBe(1);
  });

  it('ejects a host after 2 consecutive 5xx, checking every 10s, for 3m, up to 100% of hosts', () => {
    const outlier = curlIstio(example.gateway).clusters[helloworldCluster()]?.outlierDetection;
    expect(outlier).toMatchObject({
      consecutive5xx: 2,
      enforcingConsecutive5xx: 100,
      intervalMs: 10_000,
      baseEjectionTimeMs: 180_000,
      maxEjectionPercent: 100,
    });
    expect(outlier?.raw['enforcingSuccessRate']).toEqual({ value: 0 });
  });

  it('limits the same cluster for a sidecar caller: a DestinationRule applies to every client', () => {
    const caller = sidecarOf('helloworld', 'helloworld-v1-5d8f7c9b4-safe1', '10.244.1.10', { app: 'helloworld', version: 'safe' });
    const result = simulate(proxyConfig(example.snapshot, caller), { protocol: 'http', address: '10.96.50.10', port: 80, authority: 'helloworld:80', path: '/istio' });
    expect(result.http?.action).toMatchObject({ targets: [{ cluster: helloworldCluster(), weight: 100 }] });
    expect(result.clusters[helloworldCluster()]).toMatchObject({ circuitBreakers: { maxConnections: 1, maxPendingRequests: 1 }, maxRequestsPerConnection: 1, outlierDetection: { consecutive5xx: 2 } });
  });

  it('gives the gateway only resources Envoy accepts', () => {
    expect(wireProblems(example.snapshot, ingressGateway())).toEqual([]);
  });
});

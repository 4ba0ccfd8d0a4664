/**
 * Seed example 8, "istio session affinity example": consistent hashing on
 * a header. Istio (ApplyRingHashLoadBalancer, route hash policy) makes the
 * cluster RING_HASH with its default minimum ring size of 1024, hashes the
 * route on the header, and leaves previous_hosts out of the route's default
 * retry policy so that a retry stays on the hashed host.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { curlIstio, endpointsOf, helloworldCluster, loadHelloworldExample, RISKY_POD, SAFE_POD, TIMEOUT_POD, type HelloworldExample } from './helpers/helloworld.js';
import { ingressGateway, wireProblems } from './helpers/proxy-config.js';

const ALL_PODS = helloworldCluster('all-helloworld-pods');

describe('seed: istio session affinity example', () => {
  let example: HelloworldExample;
  beforeAll(async () => {
    example = await loadHelloworldExample('session-affinity');
  });

  it('sends /istio to the all-helloworld-pods subset, which holds every pod', () => {
    const result = curlIstio(example.gateway, { headers: { 'x-user': 'oktay' } });
    expect(result.http?.action).toMatchObject({ kind: 'forward', targets: [{ cluster: ALL_PODS, weight: 100 }] });
    expect(endpointsOf(result, ALL_PODS)).toEqual([SAFE_POD, RISKY_POD, TIMEOUT_POD].sort());
  });

  it('hashes the route on the x-user header', () => {
    const action = curlIstio(example.gateway).http?.action;
    expect(action?.kind === 'forward' ? action.hashPolicy : undefined).toEqual([{ header: { headerName: 'x-user' } }]);
  });

  it('balances the cluster with a RING_HASH of at least 1024 entries', () => {
    const cluster = curlIstio(example.gateway).clusters[ALL_PODS];
    expect(cluster?.lbPolicy).toBe('RING_HASH');
    expect(cluster?.minimumRingSize).toBe(1024);
  });

  it('keeps retries on the hashed host', () => {
    const action = curlIstio(example.gateway).http?.action;
    expect(action?.kind === 'forward' ? action.retryPolicy?.retryHostPredicates : undefined).toEqual([]);
  });

  it('gives the gateway only resources Envoy accepts', () => {
    expect(wireProblems(example.snapshot, ingressGateway())).toEqual([]);
  });
});

describe('seed: istio session affinity example, on the source IP as the example wrote it', () => {
  let example: HelloworldExample;
  beforeAll(async () => {
    example = await loadHelloworldExample('session-affinity-source-ip');
  });

  it("hashes the route on the connection's source IP, over a RING_HASH cluster", () => {
    const result = curlIstio(example.gateway);
    const action = result.http?.action;
    expect(action?.kind === 'forward' ? action.hashPolicy : undefined).toEqual([{ connectionProperties: { sourceIp: true } }]);
    expect(result.clusters[ALL_PODS]?.lbPolicy).toBe('RING_HASH');
  });

  it('gives the gateway only resources Envoy accepts', () => {
    expect(wireProblems(example.snapshot, ingressGateway())).toEqual([]);
  });
});

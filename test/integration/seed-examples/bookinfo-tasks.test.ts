/**
 * The Bookinfo traffic-management tasks the seed's tutorial leads to
 * (Istio's Request Routing, Fault Injection and Request Timeouts tasks),
 * over destination-rule-all.yaml: what productpage's and reviews' sidecars
 * do with a request, with and without the end-user: jason header.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../simulation/simulate.js';
import type { SimulatedRequest } from '../../simulation/request.js';
import { loadSeedExample } from './helpers/load-example.js';
import { proxyConfig, sidecarOf, wireProblems } from './helpers/proxy-config.js';

const productpage = sidecarOf('default', 'productpage-v1', '10.244.0.20', { app: 'productpage', version: 'v1' });
const reviewsV2 = sidecarOf('default', 'reviews-v2', '10.244.0.14', { app: 'reviews', version: 'v2' });
const reviewsCall: SimulatedRequest = { protocol: 'http', address: '10.96.254.71', port: 9080, authority: 'reviews:9080', path: '/reviews/0' };
const ratingsCall: SimulatedRequest = { protocol: 'http', address: '10.96.155.255', port: 9080, authority: 'ratings:9080', path: '/ratings/0' };
const jason = { 'end-user': 'jason' };
const subset = (host: string, version: string): string => `outbound|9080|${version}|${host}.default.svc.cluster.local`;

async function load(task: string) {
  return loadSeedExample('bookinfo-app', 'bookinfo-subsets', task);
}

describe('seed: Bookinfo request routing (end-user: jason → reviews v2)', () => {
  it('sends jason to reviews v2 and everyone else to v1', async () => {
    const snapshot = await load('bookinfo-request-routing');
    const sidecar = proxyConfig(snapshot, productpage);
    expect(simulate(sidecar, { ...reviewsCall, headers: jason }).http?.action).toMatchObject({ targets: [{ cluster: subset('reviews', 'v2'), weight: 100 }] });
    expect(simulate(sidecar, { ...reviewsCall, headers: { 'end-user': 'alice' } }).http?.action).toMatchObject({ targets: [{ cluster: subset('reviews', 'v1'), weight: 100 }] });
    expect(simulate(sidecar, reviewsCall).http?.action).toMatchObject({ targets: [{ cluster: subset('reviews', 'v1') }] });
    expect(simulate(sidecar, { ...reviewsCall, headers: jason }).clusters[subset('reviews', 'v2')]?.endpoints.map((e) => e.address)).toEqual(['10.244.0.14:9080']);
  });

  it("gives productpage's sidecar only resources Envoy accepts", async () => {
    expect(wireProblems(await load('bookinfo-request-routing'), productpage)).toEqual([]);
  });
});

describe('seed: Bookinfo fault injection', () => {
  it("delays jason's calls to ratings by 7s (100%), and nobody else's", async () => {
    const snapshot = await load('bookinfo-fault-delay');
    const sidecar = proxyConfig(snapshot, reviewsV2);
    const forJason = simulate(sidecar, { ...ratingsCall, headers: jason }).http;
    expect(forJason?.fault).toEqual({ delay: { fixedDelayMs: 7000, percent: 100 } });
    expect(forJason?.action).toMatchObject({ targets: [{ cluster: subset('ratings', 'v1') }] });
    const forOthers = simulate(sidecar, ratingsCall).http;
    expect(forOthers?.fault).toBeUndefined();
    expect(forOthers?.action).toMatchObject({ targets: [{ cluster: subset('ratings', 'v1') }] });
  });

  it("aborts jason's calls to ratings with HTTP 500 (100%), and nobody else's", async () => {
    const snapshot = await load('bookinfo-fault-abort');
    const sidecar = proxyConfig(snapshot, reviewsV2);
    expect(simulate(sidecar, { ...ratingsCall, headers: jason }).http?.fault).toEqual({ abort: { httpStatus: 500, grpcStatus: undefined, percent: 100 } });
    expect(simulate(sidecar, ratingsCall).http?.fault).toBeUndefined();
  });

  it("gives reviews' sidecar only resources Envoy accepts, with either fault", async () => {
    expect(wireProblems(await load('bookinfo-fault-delay'), reviewsV2)).toEqual([]);
    expect(wireProblems(await load('bookinfo-fault-abort'), reviewsV2)).toEqual([]);
  });
});

describe('seed: Bookinfo request timeouts', () => {
  it('times out calls to reviews v2 after 0.5s', async () => {
    const snapshot = await load('bookinfo-timeout');
    expect(simulate(proxyConfig(snapshot, productpage), reviewsCall).http?.action).toMatchObject({
      targets: [{ cluster: subset('reviews', 'v2'), weight: 100 }],
      timeoutMs: 500,
    });
  });

  it('delays every call to ratings by 2s, which is what makes reviews time out', async () => {
    const snapshot = await load('bookinfo-timeout');
    expect(simulate(proxyConfig(snapshot, reviewsV2), ratingsCall).http?.fault).toEqual({ delay: { fixedDelayMs: 2000, percent: 100 } });
  });

  it('gives the sidecars only resources Envoy accepts', async () => {
    const snapshot = await load('bookinfo-timeout');
    expect(wireProblems(snapshot, productpage)).toEqual([]);
    expect(wireProblems(snapshot, reviewsV2)).toEqual([]);
  });
});

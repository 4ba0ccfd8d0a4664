/**
 * Seed example 10, "istio fault injection example": half of the requests
 * are aborted with 503. Istio puts the fault in the route's per-filter
 * config for envoy.filters.http.fault and installs that filter (TranslateFault).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { curlIstio, helloworldCluster, loadHelloworldExample, type HelloworldExample } from './helpers/helloworld.js';
import { ingressGateway, wireProblems } from './helpers/proxy-config.js';

describe('seed: istio fault injection example', () => {
  let example: HelloworldExample;
  beforeAll(async () => {
    example = await loadHelloworldExample('fault-injection');
  });

  it('aborts 50% of /istio with HTTP 503, and forwards the rest to the app-helloworld subset', () => {
    const http = curlIstio(example.gateway).http;
    expect(http?.fault).toEqual({ abort: { httpStatus: 503, grpcStatus: undefined, percent: 50 } });
    expect(http?.action).toMatchObject({ kind: 'forward', targets: [{ cluster: helloworldCluster('app-helloworld'), weight: 100 }] });
  });

  it('gives the gateway only resources Envoy accepts', () => {
    expect(wireProblems(example.snapshot, ingressGateway())).toEqual([]);
  });
});

/**
 * Seed example 5, "istio oneway example": everything under /istio goes one
 * way, to one subset (a single destination: Istio routes it to that cluster,
 * not a weighted set). The example's version-v1 selects the risky pods.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { curlIstio, endpointsOf, helloworldCluster, loadHelloworldExample, RISKY_POD, type HelloworldExample } from './helpers/helloworld.js';
import { ingressGateway, wireProblems } from './helpers/proxy-config.js';

describe('seed: istio oneway example', () => {
  let example: HelloworldExample;
  beforeAll(async () => {
    example = await loadHelloworldExample('oneway');
  });

  it('sends /istio and everything under it to version-v1 only, which is the risky pod', () => {
    for (const path of ['/istio', '/istio/hello', '/istioctl']) {
      const result = curlIstio(example.gateway, { path });
      expect(result.http?.action, path).toMatchObject({ kind: 'forward', weighted: false, targets: [{ cluster: helloworldCluster('version-v1'), weight: 100 }] });
      expect(endpointsOf(result, helloworldCluster('version-v1'))).toEqual([RISKY_POD]);
    }
  });

  it('routes nothing outside /istio (the gateway answers 404)', () => {
    expect(() => curlIstio(example.gateway, { path: '/' })).toThrow(/^route: /);
  });

  it('gives the gateway only resources Envoy accepts', () => {
    expect(wireProblems(example.snapshot, ingressGateway())).toEqual([]);
  });
});

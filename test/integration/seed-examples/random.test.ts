/** Seed example 6, "istio random example": RANDOM load balancing on every subset, and a 33/33/34 split. */
import { beforeAll, describe, expect, it } from 'vitest';
import { curlIstio, endpointsOf, helloworldCluster, loadHelloworldExample, RISKY_POD, SAFE_POD, TIMEOUT_POD, type HelloworldExample } from './helpers/helloworld.js';
import { ingressGateway, wireProblems } from './helpers/proxy-config.js';

describe('seed: istio random example', () => {
  let example: HelloworldExample;
  beforeAll(async () => {
    example = await loadHelloworldExample('random');
  });

  it('splits /istio 33/33/34 over the safe, risky and timeout subsets', () => {
    const result = curlIstio(example.gateway);
    expect(result.http?.action).toMatchObject({
      kind: 'forward',
      weighted: true,
      targets: [
        { cluster: helloworldCluster('safe'), weight: 33 },
        { cluster: helloworldCluster('risky'), weight: 33 },
        { cluster: helloworldCluster('timeout'), weight: 34 },
      ],
    });
    expect(endpointsOf(result, helloworldCluster('safe'))).toEqual([SAFE_POD]);
    expect(endpointsOf(result, helloworldCluster('risky'))).toEqual([RISKY_POD]);
    expect(endpointsOf(result, helloworldCluster('timeout'))).toEqual([TIMEOUT_POD]);
  });

  it('balances RANDOM in every subset cluster: subsets inherit the top-level traffic policy', () => {
    const result = curlIstio(example.gateway);
    for (const subset of ['safe', 'risky', 'timeout']) expect(result.clusters[helloworldCluster(subset)]?.lbPolicy, subset).toBe('RANDOM');
  });

  it('gives the gateway only resources Envoy accepts', () => {
    expect(wireProblems(example.snapshot, ingressGateway())).toEqual([]);
  });
});

/** Seed example 1, "istio canary example": 10% to the safe version, 90% to the risky one. */
import { beforeAll, describe, expect, it } from 'vitest';
import { curlIstio, endpointsOf, helloworldCluster, loadHelloworldExample, RISKY_POD, SAFE_POD, type HelloworldExample } from './helpers/helloworld.js';
import { ingressGateway, wireProblems } from './helpers/proxy-config.js';

describe('seed: istio canary example', () => {
  let example: HelloworldExample;
  beforeAll(async () => {
    example = await loadHelloworldExample('canary');
  });

  it('splits /istio 10/90 between the version-v1 (safe) and version-v2 (risky) subsets', () => {
    const result = curlIstio(example.gateway);
    expect(result.listener).toBe('0.0.0.0_8080');
    expect(result.http?.action).toMatchObject({
      kind: 'forward',
      weighted: true,
      targets: [
        { cluster: helloworldCluster('version-v1'), weight: 10 },
        { cluster: helloworldCluster('version-v2'), weight: 90 },
      ],
    });
    expect(endpointsOf(result, helloworldCluster('version-v1'))).toEqual([SAFE_POD]);
    expect(endpointsOf(result, helloworldCluster('version-v2'))).toEqual([RISKY_POD]);
  });

  it('splits every path and host the same way (the VirtualService matches all of them)', () => {
    const result = curlIstio(example.gateway, { authority: 'helloworld.example.com', path: '/' });
    expect(result.http?.action).toMatchObject({ targets: [{ weight: 10 }, { weight: 90 }] });
  });

  it('gives the gateway only resources Envoy accepts', () => {
    expect(wireProblems(example.snapshot, ingressGateway())).toEqual([]);
  });
});

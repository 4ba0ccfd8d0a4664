/**
 * Seed example 4, "istio mirror example": live traffic to the safe version,
 * a copy of every request to the risky one. Istio's route translation adds
 * a request mirror policy for the mirror destination at 100% when the
 * VirtualService gives no mirrorPercentage.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { curlIstio, endpointsOf, helloworldCluster, loadHelloworldExample, RISKY_POD, SAFE_POD, type HelloworldExample } from './helpers/helloworld.js';
import { ingressGateway, wireProblems } from './helpers/proxy-config.js';

describe('seed: istio mirror example', () => {
  let example: HelloworldExample;
  beforeAll(async () => {
    example = await loadHelloworldExample('mirror');
  });

  it('answers from version-v1 (safe)', () => {
    const result = curlIstio(example.gateway);
    expect(result.http?.action).toMatchObject({ kind: 'forward', targets: [{ cluster: helloworldCluster('version-v1'), weight: 100 }] });
    expect(endpointsOf(result, helloworldCluster('version-v1'))).toEqual([SAFE_POD]);
  });

  it('mirrors every request to version-v2 (risky)', () => {
    const result = curlIstio(example.gateway);
    expect(result.http?.action).toMatchObject({ mirrors: [{ cluster: helloworldCluster('version-v2'), percent: 100 }] });
    expect(endpointsOf(result, helloworldCluster('version-v2'))).toEqual([RISKY_POD]);
  });

  it('gives the gateway only resources Envoy accepts', () => {
    expect(wireProblems(example.snapshot, ingressGateway())).toEqual([]);
  });
});

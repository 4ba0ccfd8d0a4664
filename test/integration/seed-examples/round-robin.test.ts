/** Seed example 7, "istio round robin example": /istio to helloworld port 80, round robin over all its pods. */
import { beforeAll, describe, expect, it } from 'vitest';
import { curlIstio, endpointsOf, helloworldCluster, loadHelloworldExample, RISKY_POD, SAFE_POD, TIMEOUT_POD, type HelloworldExample } from './helpers/helloworld.js';
import { ingressGateway, wireProblems } from './helpers/proxy-config.js';

describe('seed: istio round robin example', () => {
  let example: HelloworldExample;
  beforeAll(async () => {
    example = await loadHelloworldExample('round-robin');
  });

  it('sends /istio to the whole helloworld service, balanced ROUND_ROBIN over every pod', () => {
    const result = curlIstio(example.gateway);
    expect(result.http?.action).toMatchObject({ kind: 'forward', targets: [{ cluster: helloworldCluster(), weight: 100 }] });
    expect(result.clusters[helloworldCluster()]?.lbPolicy).toBe('ROUND_ROBIN');
    expect(endpointsOf(result, helloworldCluster())).toEqual([SAFE_POD, RISKY_POD, TIMEOUT_POD].sort());
  });

  it('balances the unused subsets round robin too', () => {
    const cds = example.gateway.clusters.find((c) => c.name === helloworldCluster('version-v1'));
    expect(cds?.resource['lbPolicy']).toBe('ROUND_ROBIN');
  });

  it('gives the gateway only resources Envoy accepts', () => {
    expect(wireProblems(example.snapshot, ingressGateway())).toEqual([]);
  });
});

/** Seed example 9, "istio timeout example": every request to helloworld times out after 2s. */
import { beforeAll, describe, expect, it } from 'vitest';
import { curlIstio, helloworldCluster, loadHelloworldExample, type HelloworldExample } from './helpers/helloworld.js';
import { ingressGateway, wireProblems } from './helpers/proxy-config.js';

describe('seed: istio timeout example', () => {
  let example: HelloworldExample;
  beforeAll(async () => {
    example = await loadHelloworldExample('timeout');
  });

  it('gives /istio a 2s route timeout', () => {
    expect(curlIstio(example.gateway).http?.action).toMatchObject({ kind: 'forward', targets: [{ cluster: helloworldCluster(), weight: 100 }], timeoutMs: 2000 });
  });

  it('gives the gateway only resources Envoy accepts', () => {
    expect(wireProblems(example.snapshot, ingressGateway())).toEqual([]);
  });
});

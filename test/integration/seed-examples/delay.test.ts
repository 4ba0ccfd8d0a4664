/** Seed example 11, "istio delay example": half of the requests wait 7s (the deprecated integer percent: 50). */
import { beforeAll, describe, expect, it } from 'vitest';
import { curlIstio, helloworldCluster, loadHelloworldExample, type HelloworldExample } from './helpers/helloworld.js';
import { ingressGateway, wireProblems } from './helpers/proxy-config.js';

describe('seed: istio delay example', () => {
  let example: HelloworldExample;
  beforeAll(async () => {
    example = await loadHelloworldExample('delay');
  });

  it('delays 50% of /istio by 7s, then forwards to the app-helloworld subset', () => {
    const http = curlIstio(example.gateway).http;
    expect(http?.fault).toEqual({ delay: { fixedDelayMs: 7000, percent: 50 } });
    expect(http?.action).toMatchObject({ kind: 'forward', targets: [{ cluster: helloworldCluster('app-helloworld'), weight: 100 }] });
  });

  it('gives the gateway only resources Envoy accepts', () => {
    expect(wireProblems(example.snapshot, ingressGateway())).toEqual([]);
  });
});

/** Seed example 3, "istio header example": baggage-user-agent matching .*oktay.* → safe, everything else → risky. */
import { beforeAll, describe, expect, it } from 'vitest';
import { curlIstio, endpointsOf, helloworldCluster, loadHelloworldExample, RISKY_POD, SAFE_POD, type HelloworldExample } from './helpers/helloworld.js';
import { ingressGateway, wireProblems } from './helpers/proxy-config.js';

describe('seed: istio header example', () => {
  let example: HelloworldExample;
  beforeAll(async () => {
    example = await loadHelloworldExample('header');
  });

  it('sends a request whose baggage-user-agent contains "oktay" to version-v1 (safe)', () => {
    const result = curlIstio(example.gateway, { headers: { 'baggage-user-agent': 'curl/8.0 oktay' } });
    expect(result.http?.action).toMatchObject({ kind: 'forward', targets: [{ cluster: helloworldCluster('version-v1'), weight: 100 }] });
    expect(endpointsOf(result, helloworldCluster('version-v1'))).toEqual([SAFE_POD]);
  });

  it('treats the regex as a full match, as Istio and Envoy do: "oktay" anywhere matches, a different case does not', () => {
    expect(curlIstio(example.gateway, { headers: { 'baggage-user-agent': 'oktay' } }).http?.action).toMatchObject({ targets: [{ cluster: helloworldCluster('version-v1') }] });
    expect(curlIstio(example.gateway, { headers: { 'baggage-user-agent': 'OKTAY' } }).http?.action).toMatchObject({ targets: [{ cluster: helloworldCluster('version-v2') }] });
  });

  it('sends everyone else, with or without the header, to version-v2 (risky)', () => {
    const others: Record<string, string>[] = [{}, { 'baggage-user-agent': 'curl/8.0' }];
    for (const headers of others) {
      const result = curlIstio(example.gateway, { headers });
      expect(result.http?.action).toMatchObject({ targets: [{ cluster: helloworldCluster('version-v2'), weight: 100 }] });
      expect(endpointsOf(result, helloworldCluster('version-v2'))).toEqual([RISKY_POD]);
    }
  });

  it('gives the gateway only resources Envoy accepts', () => {
    expect(wireProblems(example.snapshot, ingressGateway())).toEqual([]);
  });
});

/**
 * Seed example 12, "istio mTLS example": clients use Istio mutual TLS to
 * every *.cluster.local service (DestinationRule tls ISTIO_MUTUAL: the
 * workload certificate from SDS "default", SNI
 * outbound_.<port>_.<subset>_.<host> per Istio's BuildDNSSrvSubsetKey), and
 * a STRICT mesh-wide PeerAuthentication makes every workload accept mutual
 * TLS only: its inbound chains demand a client certificate and no chain
 * takes plain text.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProxyNode } from '../../../src/model/proxy.js';
import { simulate } from '../../simulation/simulate.js';
import type { XdsResources } from '../../simulation/xds-view.js';
import { curlIstio, HELLOWORLD, helloworldCluster, loadHelloworldExample, type HelloworldExample } from './helpers/helloworld.js';
import { ingressGateway, proxyConfig, sidecarOf, wireProblems } from './helpers/proxy-config.js';

const SNI = `outbound_.80_._.${HELLOWORLD}`;
const safePod: ProxyNode = sidecarOf('helloworld', 'helloworld-v1-5d8f7c9b4-safe1', '10.244.1.10', { app: 'helloworld', version: 'safe' });

describe('seed: istio mTLS example', () => {
  let example: HelloworldExample;
  let sidecar: XdsResources;
  beforeAll(async () => {
    example = await loadHelloworldExample('mtls');
    sidecar = proxyConfig(example.snapshot, safePod);
  });

  it('has the ingress gateway call helloworld with Istio mutual TLS', () => {
    const result = curlIstio(example.gateway);
    expect(result.http?.action).toMatchObject({ kind: 'forward', targets: [{ cluster: helloworldCluster(), weight: 100 }] });
    expect(result.clusters[helloworldCluster()]).toMatchObject({ tls: 'istio-mutual', sni: SNI });
  });

  it('has a sidecar call helloworld:80 with Istio mutual TLS', () => {
    const result = simulate(sidecar, { protocol: 'http', address: '10.96.50.10', port: 80, authority: 'helloworld.helloworld:80', path: '/istio' });
    expect(result.http?.action).toMatchObject({ targets: [{ cluster: helloworldCluster() }] });
    expect(result.clusters[helloworldCluster()]).toMatchObject({ tls: 'istio-mutual', sni: SNI });
  });

  it('accepts a mutual TLS request on the workload port, demanding the client certificate, and hands it to the app', () => {
    const result = simulate(sidecar, {
      protocol: 'https',
      mode: 'inbound',
      address: '10.244.1.10',
      port: 80,
      sni: SNI,
      alpn: ['istio-http/1.1', 'istio', 'http/1.1'],
      authority: 'helloworld.helloworld:80',
      path: '/istio',
    });
    expect(result.listener).toBe('virtualInbound');
    expect(result.downstreamTls).toMatchObject({ requireClientCertificate: true, certificateSecrets: ['default'] });
    expect(result.http?.action).toMatchObject({ kind: 'forward', targets: [{ cluster: 'inbound|80||' }] });
  });

  it('refuses plain text on the workload port (STRICT)', () => {
    expect(() => simulate(sidecar, { protocol: 'http', mode: 'inbound', address: '10.244.1.10', port: 80, authority: 'helloworld:80' })).toThrow(/^(filter chain|protocol): /);
    // TLS without a client certificate is not mutual TLS either.
    const noCertificate = { protocol: 'https', mode: 'inbound', address: '10.244.1.10', port: 80, sni: SNI, alpn: ['istio-http/1.1', 'istio'], authority: 'helloworld:80', clientCertificate: false } as const;
    expect(() => simulate(sidecar, noCertificate)).toThrow(/^tls: /);
  });

  it('gives the gateway and the sidecar only resources Envoy accepts', () => {
    expect(wireProblems(example.snapshot, ingressGateway())).toEqual([]);
    expect(wireProblems(example.snapshot, safePod)).toEqual([]);
  });
});

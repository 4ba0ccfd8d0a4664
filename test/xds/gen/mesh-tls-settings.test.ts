/**
 * MeshConfig meshMTLS and tlsDefaults in the generated config, where Istio
 * applies them: meshMTLS on the mutual TLS a sidecar terminates
 * (BuildInboundTLS), tlsDefaults on DestinationRule SIMPLE/MUTUAL
 * originations (applyTLSDefaults: curves and ciphers) and on gateway
 * SIMPLE/MUTUAL servers (applyDownstreamTLSDefaults, under the server's own
 * settings). Istio mutual TLS originations take neither.
 */
import { describe, expect, it } from 'vitest';
import type { MeshConfig, MeshSnapshot } from '../../../src/model/types.js';
import { ldsGenerator } from '../../../src/xds/gen/lds/lds-generator.js';
import { ClusterType, ListenerType } from '../../../src/xds/proto/type-urls.js';
import { cdsGenerator } from '../../../src/xds/gen/cds/cds-generator.js';
import { generateFor, resourceNamed } from './helpers/generate.js';
import { kubeService, port, proxy, snapshot } from './helpers/mesh-builder.js';
import { clusterOf, policyMesh, REVIEWS } from './cds/helpers/policy-mesh.js';
import { expectValidOnTheWire, gateway, gatewayMesh, router } from './gateway/helpers/gateway-mesh.js';
import { ISTIO_SUPPORTED_CIPHERS, workloadProxy } from './sidecar/sidecar-test-helpers.js';

type Json = Record<string, unknown>;

function withMesh(snap: MeshSnapshot, mesh: Partial<MeshConfig>): MeshSnapshot {
  return Object.freeze({ ...snap, mesh: { ...snap.mesh, ...mesh } });
}

function tlsParamsOf(socket: unknown): Json {
  return ((socket as Json)['typedConfig'] as { commonTlsContext: { tlsParams: Json } }).commonTlsContext.tlsParams;
}

describe('meshMTLS on the mutual TLS a sidecar terminates', () => {
  const reviews = kubeService('reviews', 'default', [{ ...port(80, 'HTTP', 'http'), targetPort: 8080 }], { clusterIP: '10.96.0.12' });
  const mtlsSockets = (snap: MeshSnapshot): unknown[] => {
    const out = generateFor(ldsGenerator, snap, workloadProxy('reviews'));
    expectValidOnTheWire(ListenerType, out);
    const chains = resourceNamed(out, 'virtualInbound')['filterChains'] as Json[];
    return chains.filter((c) => c['transportSocket']).map((c) => c['transportSocket']);
  };

  it("keeps Istio's TLS 1.2 minimum and server cipher suites by default", () => {
    const sockets = mtlsSockets(snapshot({ services: [reviews] }));
    expect(sockets.length).toBeGreaterThan(0);
    for (const s of sockets) expect(tlsParamsOf(s)).toEqual({ tlsMinimumProtocolVersion: 'TLSv1_2', tlsMaximumProtocolVersion: 'TLSv1_3', cipherSuites: ISTIO_SUPPORTED_CIPHERS });
  });

  it('raises the minimum to TLS 1.3 and replaces the cipher suites on every mTLS chain', () => {
    const snap = withMesh(snapshot({ services: [reviews] }), { meshMTLS: { minProtocolVersion: 'TLSV1_3', cipherSuites: ['ECDHE-ECDSA-AES256-GCM-SHA384'] } });
    const sockets = mtlsSockets(snap);
    expect(sockets.length).toBeGreaterThan(0);
    for (const s of sockets) expect(tlsParamsOf(s)).toEqual({ tlsMinimumProtocolVersion: 'TLSv1_3', tlsMaximumProtocolVersion: 'TLSv1_3', cipherSuites: ['ECDHE-ECDSA-AES256-GCM-SHA384'] });
  });
});

describe('tlsDefaults on DestinationRule originations', () => {
  const defaults = { tlsDefaults: { minProtocolVersion: 'TLSV1_3', ecdhCurves: ['P-256'], cipherSuites: ['ECDHE-RSA-AES128-GCM-SHA256'] } } as const;

  it('gives SIMPLE and MUTUAL its curves and cipher suites, not its minimum version (Istio applies that to servers)', () => {
    for (const tls of [{ mode: 'SIMPLE' as const }, { mode: 'MUTUAL' as const, clientCertificate: '/certs/cert.pem', privateKey: '/certs/key.pem' }]) {
      const snap = withMesh(policyMesh({ tls }), defaults);
      const cluster = clusterOf(snap, `outbound|9080||${REVIEWS}`);
      expect(tlsParamsOf(cluster['transportSocket']), tls.mode).toEqual({
        tlsMinimumProtocolVersion: 'TLSv1_2',
        tlsMaximumProtocolVersion: 'TLSv1_3',
        ecdhCurves: ['P-256'],
        cipherSuites: ['ECDHE-RSA-AES128-GCM-SHA256'],
      });
      expectValidOnTheWire(ClusterType, generateFor(cdsGenerator, snap, proxy('sidecar')));
    }
  });

  it('leaves ISTIO_MUTUAL alone, whether set by the rule or by auto mTLS', () => {
    const plain = { tlsMinimumProtocolVersion: 'TLSv1_2', tlsMaximumProtocolVersion: 'TLSv1_3' };
    const fromRule = clusterOf(withMesh(policyMesh({ tls: { mode: 'ISTIO_MUTUAL' } }), defaults), `outbound|9080||${REVIEWS}`);
    expect(tlsParamsOf(fromRule['transportSocket'])).toEqual(plain);
    const auto = clusterOf(withMesh(policyMesh(undefined), defaults), `outbound|9080||${REVIEWS}`);
    const matches = auto['transportSocketMatches'] as Json[];
    expect(tlsParamsOf((matches[0] as Json)['transportSocket'])).toEqual(plain);
  });
});

describe('tlsDefaults on gateway servers', () => {
  const httpsServer = (tls: Record<string, unknown>) => ({ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['bookinfo.example.com'], tls });
  const serverTlsParams = (tls: Record<string, unknown>, mesh: Partial<MeshConfig>): Json | undefined => {
    const gw = gateway('gw', 'istio-system', { selector: { istio: 'ingressgateway' }, servers: [httpsServer(tls)] });
    const out = generateFor(ldsGenerator, withMesh(gatewayMesh({ gateways: [gw] }), mesh), router('istio-system'));
    expectValidOnTheWire(ListenerType, out);
    const chain = (resourceNamed(out, '0.0.0.0_443')['filterChains'] as Json[])[0] as Json;
    return ((chain['transportSocket'] as Json)['typedConfig'] as { commonTlsContext: { tlsParams?: Json } }).commonTlsContext.tlsParams;
  };
  const defaults = { tlsDefaults: { minProtocolVersion: 'TLSV1_3', ecdhCurves: ['X25519'], cipherSuites: ['ECDHE-RSA-AES128-GCM-SHA256'] } } as const;

  it('applies the mesh defaults to a SIMPLE server that sets none', () => {
    expect(serverTlsParams({ mode: 'SIMPLE', credentialName: 'bookinfo-cert' }, defaults)).toEqual({
      tlsMinimumProtocolVersion: 'TLSv1_3',
      ecdhCurves: ['X25519'],
      cipherSuites: ['ECDHE-RSA-AES128-GCM-SHA256'],
    });
  });

  it("lets the server's own settings win field by field", () => {
    expect(serverTlsParams({ mode: 'MUTUAL', credentialName: 'bookinfo-cert', minProtocolVersion: 'TLSV1_2', cipherSuites: ['AES256-GCM-SHA384'] }, defaults)).toEqual({
      tlsMinimumProtocolVersion: 'TLSv1_2',
      ecdhCurves: ['X25519'],
      cipherSuites: ['AES256-GCM-SHA384'],
    });
  });

  it('sets no TLS parameters without mesh defaults or server settings', () => {
    expect(serverTlsParams({ mode: 'SIMPLE', credentialName: 'bookinfo-cert' }, {})).toBeUndefined();
  });
});

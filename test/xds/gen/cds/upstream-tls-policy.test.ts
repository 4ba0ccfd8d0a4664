/**
 * DestinationRule tls → the cluster's transport socket, as Istio's
 * buildUpstreamClusterTLSContext writes it; files are named inline and
 * secrets come over SDS from tsiod (ADS), where Istio goes through
 * pilot-agent.
 */
import { describe, expect, it } from 'vitest';
import type { ClientTLSSettings } from '../../../../src/model/types.js';
import { HTTP_PROTOCOL_OPTIONS_KEY, UPSTREAM_TLS_CONTEXT_TYPE } from '../../../../src/xds/gen/common/type-names.js';
import { SYSTEM_CA_BUNDLE } from '../../../../src/xds/gen/cds/traffic-policy/upstream-tls.js';
import { proxy } from '../helpers/mesh-builder.js';
import { clusterOf, gatewayProxy, policyMesh, REVIEWS } from './helpers/policy-mesh.js';

const ADS = { ads: {}, resourceApiVersion: 'V3' };
const TLS_PARAMS = { tlsMinimumProtocolVersion: 'TLSv1_2', tlsMaximumProtocolVersion: 'TLSv1_3' };

function tlsContext(tls: ClientTLSSettings, name = `outbound|9080||${REVIEWS}`, node = proxy('sidecar'), subsets = [{ name: 'v1', labels: { version: 'v1' } }]): Record<string, unknown> | undefined {
  const socket = clusterOf(policyMesh({ tls }, subsets), name, node)['transportSocket'] as { name: string; typedConfig: Record<string, unknown> } | undefined;
  if (!socket) return undefined;
  expect(socket.name).toBe('envoy.transport_sockets.tls');
  expect(socket.typedConfig['@type']).toBe(UPSTREAM_TLS_CONTEXT_TYPE);
  const { '@type': _type, ...context } = socket.typedConfig;
  return context;
}

describe('tls ISTIO_MUTUAL', () => {
  it("presents the workload's SDS certificate, checks the server against ROOTCA and the service's spiffe identities", () => {
    expect(tlsContext({ mode: 'ISTIO_MUTUAL' })).toEqual({
      commonTlsContext: {
        tlsParams: TLS_PARAMS,
        tlsCertificateSdsSecretConfigs: [{ name: 'default', sdsConfig: ADS }],
        combinedValidationContext: {
          defaultValidationContext: {
            matchSubjectAltNames: [
              { exact: 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews' },
              { exact: 'spiffe://cluster.local/ns/default/sa/reviews-v2' },
            ],
          },
          validationContextSdsSecretConfig: { name: 'ROOTCA', sdsConfig: ADS },
        },
        alpnProtocols: ['istio-peer-exchange', 'istio'],
      },
      sni: `outbound_.9080_._.${REVIEWS}`,
    });
  });

  it('names the subset in the SNI, adds h2 to the ALPN of HTTP/2 clusters, and keeps a given sni and SANs', () => {
    expect(tlsContext({ mode: 'ISTIO_MUTUAL' }, `outbound|9080|v1|${REVIEWS}`)?.['sni']).toBe(`outbound_.9080_.v1_.${REVIEWS}`);
    expect((tlsContext({ mode: 'ISTIO_MUTUAL' }, `outbound|7070||${REVIEWS}`)?.['commonTlsContext'] as Record<string, unknown>)['alpnProtocols']).toEqual(['istio-peer-exchange', 'istio', 'h2']);
    const custom = tlsContext({ mode: 'ISTIO_MUTUAL', sni: 'reviews.example', subjectAltNames: ['spiffe://other/ns/x/sa/y'] });
    expect(custom?.['sni']).toBe('reviews.example');
    expect(custom?.['commonTlsContext']).toMatchObject({ combinedValidationContext: { defaultValidationContext: { matchSubjectAltNames: [{ exact: 'spiffe://other/ns/x/sa/y' }] } } });
  });

  it('uses the mesh trust domain', () => {
    const snap = { ...policyMesh({ tls: { mode: 'ISTIO_MUTUAL' } }) };
    const withDomain = { ...snap, mesh: { ...snap.mesh, trustDomain: 'example.org' } };
    const socket = clusterOf(withDomain, `outbound|9080||${REVIEWS}`)['transportSocket'] as { typedConfig: { commonTlsContext: Record<string, unknown> } };
    expect(JSON.stringify(socket.typedConfig.commonTlsContext)).toContain('spiffe://example.org/ns/default/sa/bookinfo-reviews');
  });
});

describe('tls SIMPLE and MUTUAL with files', () => {
  it('SIMPLE trusts caCertificates, checks SANs, sends sni; auto SNI/SAN only for what the rule leaves out', () => {
    const c = clusterOf(policyMesh({ tls: { mode: 'SIMPLE', caCertificates: '/etc/certs/ca.pem', subjectAltNames: ['reviews.example'], sni: 'reviews.example' } }), `outbound|9080||${REVIEWS}`);
    expect((c['transportSocket'] as { typedConfig: Record<string, unknown> }).typedConfig).toEqual({
      '@type': UPSTREAM_TLS_CONTEXT_TYPE,
      commonTlsContext: { tlsParams: TLS_PARAMS, validationContext: { trustedCa: { filename: '/etc/certs/ca.pem' }, matchSubjectAltNames: [{ exact: 'reviews.example' }] } },
      sni: 'reviews.example',
    });
    expect(c).not.toHaveProperty('typedExtensionProtocolOptions');
  });

  it('SIMPLE without a CA trusts the system bundle and lets Envoy take SNI and SAN from the request host', () => {
    const c = clusterOf(policyMesh({ tls: { mode: 'SIMPLE' } }), `outbound|9080||${REVIEWS}`);
    expect((c['transportSocket'] as { typedConfig: { commonTlsContext: unknown } }).typedConfig.commonTlsContext).toEqual({
      tlsParams: TLS_PARAMS,
      validationContext: { trustedCa: { filename: SYSTEM_CA_BUNDLE } },
    });
    const options = (c['typedExtensionProtocolOptions'] as Record<string, Record<string, unknown>>)[HTTP_PROTOCOL_OPTIONS_KEY];
    expect(options?.['upstreamHttpProtocolOptions']).toEqual({ autoSni: true, autoSanValidation: true });
  });

  it('MUTUAL presents the client certificate files; insecureSkipVerify validates nothing; h2 clusters offer only h2', () => {
    const context = tlsContext({ mode: 'MUTUAL', clientCertificate: '/c/cert.pem', privateKey: '/c/key.pem', insecureSkipVerify: true }, `outbound|7070||${REVIEWS}`);
    expect(context?.['commonTlsContext']).toEqual({
      tlsParams: TLS_PARAMS,
      tlsCertificates: [{ certificateChain: { filename: '/c/cert.pem' }, privateKey: { filename: '/c/key.pem' } }],
      validationContext: {},
      alpnProtocols: ['h2'],
    });
  });

  it('a CRL file is checked too', () => {
    const context = tlsContext({ mode: 'SIMPLE', caCertificates: '/ca.pem', caCrl: '/crl.pem' });
    expect((context?.['commonTlsContext'] as Record<string, unknown>)['validationContext']).toEqual({ trustedCa: { filename: '/ca.pem' }, crl: { filename: '/crl.pem' } });
  });

  it('DISABLE sends plaintext', () => {
    expect(tlsContext({ mode: 'DISABLE' })).toBeUndefined();
  });
});

describe('tls with credentialName', () => {
  it('a gateway fetches the key pair and the CA over SDS', () => {
    expect(tlsContext({ mode: 'MUTUAL', credentialName: 'reviews-client', subjectAltNames: ['reviews.example'] }, `outbound|9080||${REVIEWS}`, gatewayProxy())).toEqual({
      commonTlsContext: {
        tlsParams: TLS_PARAMS,
        tlsCertificateSdsSecretConfigs: [{ name: 'kubernetes://reviews-client', sdsConfig: ADS }],
        combinedValidationContext: {
          defaultValidationContext: { matchSubjectAltNames: [{ exact: 'reviews.example' }] },
          validationContextSdsSecretConfig: { name: 'kubernetes://reviews-client-cacert', sdsConfig: ADS },
        },
      },
    });
    const simple = tlsContext({ mode: 'SIMPLE', credentialName: 'reviews-ca' }, `outbound|9080||${REVIEWS}`, gatewayProxy());
    expect(simple?.['commonTlsContext']).not.toHaveProperty('tlsCertificateSdsSecretConfigs');
  });

  it('a sidecar gets no TLS context at all, as Istio refuses sidecars Secrets through a DestinationRule', () => {
    expect(tlsContext({ mode: 'SIMPLE', credentialName: 'reviews-ca' })).toBeUndefined();
  });
});

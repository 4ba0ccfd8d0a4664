/**
 * ISTIO_MUTUAL for proxyless gRPC, after Istio's grpcgen (cds.go applyTLS,
 * grpcgen.go buildCommonTLSContext): an UpstreamTlsContext naming the
 * bootstrap's certificate-provider instance "default" for the identity
 * ("default") and the roots ("ROOTCA"), with exact SAN matchers for the
 * service's workload identities. The roots go in a plain validation_context
 * (gRFC A29's first form) rather than Istio's combined_validation_context,
 * whose Envoy validate rules demand an SDS config gRPC rejects. Nothing a
 * gRPC client rejects (gRFC A29: tls_params, SDS, transport_socket_matches)
 * and nothing else grpcgen leaves out (SIMPLE, MUTUAL, auto mTLS).
 */
import { describe, expect, it } from 'vitest';
import type { TrafficPolicy } from '../../../../src/model/types.js';
import { ClusterType } from '../../../../src/xds/proto/type-urls.js';
import { envoyValidator } from '../../../../src/xds/validate/envoy-validator.js';
import { typeForUrl } from '../../../../src/xds/proto/envoy-protos.js';
import { destinationRule, endpoint, kubeService, proxy, snapshot } from '../helpers/mesh-builder.js';
import { canonical, roundTrip } from '../helpers/proto-round-trip.js';
import { clusterOf, GRPC, policyMesh, REVIEWS, reviewsEndpoints } from './helpers/policy-mesh.js';

const DEFAULT_CLUSTER = `outbound|7070||${REVIEWS}`;
/** The workloads of policyMesh run as these service accounts in "default", trust domain cluster.local. */
const REVIEWS_IDENTITIES = ['spiffe://cluster.local/ns/default/sa/bookinfo-reviews', 'spiffe://cluster.local/ns/default/sa/reviews-v2'];
const UPSTREAM_TLS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';

const grpcCluster = (policy: TrafficPolicy | undefined, name = DEFAULT_CLUSTER): Record<string, unknown> => clusterOf(policyMesh(policy), name, proxy('proxyless'));

/** Istio's buildCommonTLSContext for these SANs (current fields, roots in validation_context), in the generators' protobufjs JSON spelling. */
function istioGrpcTlsSocket(sans: readonly string[]): Record<string, unknown> {
  return {
    name: 'envoy.transport_sockets.tls',
    typedConfig: {
      '@type': UPSTREAM_TLS,
      commonTlsContext: {
        tlsCertificateProviderInstance: { instanceName: 'default', certificateName: 'default' },
        validationContext: {
          matchSubjectAltNames: sans.map((exact) => ({ exact })),
          caCertificateProviderInstance: { instanceName: 'default', certificateName: 'ROOTCA' },
        },
      },
    },
  };
}

describe('proxyless clusters with ISTIO_MUTUAL', () => {
  it("name the bootstrap's certificate providers and check the server against the service's identities", () => {
    expect(grpcCluster({ tls: { mode: 'ISTIO_MUTUAL' } })['transportSocket']).toEqual(istioGrpcTlsSocket(REVIEWS_IDENTITIES));
  });

  it('carry no field a gRPC client rejects (tls_params, SDS, inline certificates) nor ALPN or SNI, and no combined context Envoy\'s rules would refuse', () => {
    const socket = grpcCluster({ tls: { mode: 'ISTIO_MUTUAL' } })['transportSocket'] as { typedConfig: Record<string, unknown> };
    expect(Object.keys(socket.typedConfig).sort()).toEqual(['@type', 'commonTlsContext']);
    const common = socket.typedConfig['commonTlsContext'] as Record<string, unknown>;
    for (const rejected of ['tlsParams', 'alpnProtocols', 'tlsCertificates', 'tlsCertificateSdsSecretConfigs', 'validationContextSdsSecretConfig', 'combinedValidationContext', 'customHandshaker']) {
      expect(common, rejected).not.toHaveProperty(rejected);
    }
  });

  it("ignore the rule's subjectAltNames and sni, as grpcgen does", () => {
    const c = grpcCluster({ tls: { mode: 'ISTIO_MUTUAL', subjectAltNames: ['spiffe://elsewhere/ns/x/sa/y'], sni: 'other.example' } });
    expect(c['transportSocket']).toEqual(istioGrpcTlsSocket(REVIEWS_IDENTITIES));
  });

  it("list every trust domain alias of each identity (Istio's ServiceAccounts)", () => {
    const snap = snapshot({
      services: [kubeService('reviews', 'default', [GRPC])],
      endpoints: { [REVIEWS]: [endpoint('10.0.0.1', GRPC, { serviceAccount: 'reviews' })] },
      destinationRules: [destinationRule('reviews', 'default', { host: REVIEWS, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } })],
      mesh: { trustDomain: 'td.example', trustDomainAliases: ['old.example'] },
    });
    expect(clusterOf(snap, DEFAULT_CLUSTER, proxy('proxyless'))['transportSocket']).toEqual(
      istioGrpcTlsSocket(['spiffe://old.example/ns/default/sa/reviews', 'spiffe://td.example/ns/default/sa/reviews']),
    );
  });

  it('with no known service account, accept any certificate from the roots (no SAN matchers)', () => {
    const snap = snapshot({
      services: [kubeService('reviews', 'default', [GRPC])],
      endpoints: { [REVIEWS]: [endpoint('10.0.0.1', GRPC)] },
      destinationRules: [destinationRule('reviews', 'default', { host: REVIEWS, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } })],
    });
    const socket = clusterOf(snap, DEFAULT_CLUSTER, proxy('proxyless'))['transportSocket'] as { typedConfig: { commonTlsContext: { validationContext: Record<string, unknown> } } };
    expect(socket.typedConfig.commonTlsContext.validationContext).toEqual({
      caCertificateProviderInstance: { instanceName: 'default', certificateName: 'ROOTCA' },
    });
  });

  it('follow port-level and subset-level overrides', () => {
    const portDisabled = grpcCluster({ tls: { mode: 'ISTIO_MUTUAL' }, portLevelSettings: [{ port: { number: 7070 }, tls: { mode: 'DISABLE' } }] });
    expect(portDisabled).not.toHaveProperty('transportSocket');
    const snap = policyMesh(undefined, [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }]);
    expect(clusterOf(snap, `outbound|7070|v1|${REVIEWS}`, proxy('proxyless'))['transportSocket']).toEqual(istioGrpcTlsSocket(REVIEWS_IDENTITIES));
    expect(clusterOf(snap, DEFAULT_CLUSTER, proxy('proxyless'))).not.toHaveProperty('transportSocket');
  });

  it('pass Envoy\'s validate rules and survive a trip through the protos', () => {
    const cluster = grpcCluster({ tls: { mode: 'ISTIO_MUTUAL' } });
    const type = typeForUrl(ClusterType);
    const bytes = type.encode(type.fromObject(cluster)).finish();
    expect(envoyValidator().validateEncoded(type, bytes)).toEqual([]);
    expect(canonical(roundTrip(ClusterType, cluster))).toEqual(canonical(cluster));
  });

  it("why not Istio's combined_validation_context: Envoy's rules require its SDS config", () => {
    const roots = { instanceName: 'default', certificateName: 'ROOTCA' };
    const cluster = grpcCluster({ tls: { mode: 'ISTIO_MUTUAL' } });
    const istioShape = {
      ...cluster,
      transportSocket: {
        name: 'envoy.transport_sockets.tls',
        typedConfig: {
          '@type': UPSTREAM_TLS,
          commonTlsContext: {
            tlsCertificateProviderInstance: { instanceName: 'default', certificateName: 'default' },
            combinedValidationContext: { defaultValidationContext: { caCertificateProviderInstance: roots }, validationContextCertificateProviderInstance: roots },
          },
        },
      },
    };
    const type = typeForUrl(ClusterType);
    const violations = envoyValidator().validateEncoded(type, type.encode(type.fromObject(istioShape)).finish());
    expect(violations.map((v) => `${v.rule} @ ${v.path}`)).toEqual(['message.required @ transportSocket.typedConfig.commonTlsContext.combinedValidationContext.validationContextSdsSecretConfig']);
  });
});

describe('proxyless clusters without ISTIO_MUTUAL get no TLS', () => {
  it.each([
    ['DISABLE', { tls: { mode: 'DISABLE' } }],
    // grpcgen has SIMPLE and MUTUAL as TODO: gRPC cannot take files or credentialName Secrets from xDS.
    ['SIMPLE', { tls: { mode: 'SIMPLE', caCertificates: '/etc/certs/ca.pem' } }],
    ['MUTUAL', { tls: { mode: 'MUTUAL', clientCertificate: '/c.pem', privateKey: '/k.pem', caCertificates: '/ca.pem' } }],
  ] as const)('%s', (_mode, policy) => {
    const c = grpcCluster(policy as TrafficPolicy);
    expect(c).not.toHaveProperty('transportSocket');
  });

  it('nor auto mTLS to workloads with tlsMode=istio: grpcgen leaves it off, and grpc-go rejects transport_socket_matches', () => {
    // policyMesh's endpoints all carry tlsMode=istio; a sidecar gets auto mTLS from them.
    expect(reviewsEndpoints().every((e) => e.tlsMode === 'istio')).toBe(true);
    expect(clusterOf(policyMesh(undefined), DEFAULT_CLUSTER, proxy('sidecar'))).toHaveProperty('transportSocketMatches');
    const c = grpcCluster(undefined);
    expect(c).not.toHaveProperty('transportSocket');
    expect(c).not.toHaveProperty('transportSocketMatches');
  });
});

/**
 * Auto mTLS on outbound clusters, against Istio's documented behaviour
 * (istio.io "Mutual TLS Migration" and "Auto mutual TLS": "Istio tracks
 * the server workloads migrated to Istio proxies, and configures client
 * proxies to send mutual TLS traffic to those workloads automatically, and
 * to send plain text traffic to workloads without sidecars"; MeshConfig
 * enableAutoMtls, default true) and the shape Istio's cluster_tls.go
 * writes: transport socket matches "tlsMode-istio" (endpoints whose
 * metadata says tlsMode: istio) and "tlsMode-disabled" (the rest, raw
 * buffer). Istio leaves clusters alone where a DestinationRule sets tls,
 * for services outside the mesh, and where the destination namespace's
 * (or the mesh-wide) PeerAuthentication is DISABLE; a cluster forwarding
 * to the original destination gets mTLS outright only when every endpoint
 * has a sidecar.
 */
import { describe, expect, it } from 'vitest';
import type { MeshSnapshot, TrafficPolicy } from '../../../../src/model/types.js';
import { cdsGenerator } from '../../../../src/xds/gen/cds/cds-generator.js';
import { edsGenerator } from '../../../../src/xds/gen/eds/eds-generator.js';
import { ClusterType } from '../../../../src/xds/proto/type-urls.js';
import { summarizeCluster } from '../../../simulation/cluster-summary.js';
import { indexResources } from '../../../simulation/xds-view.js';
import { expectValidOnTheWire } from '../gateway/helpers/gateway-mesh.js';
import { generateFor, resourceNamed } from '../helpers/generate.js';
import { destinationRule, endpoint, fqdn, kubeService, peerAuthentication, port, proxy, serviceEntry, snapshot } from '../helpers/mesh-builder.js';

const http = port(8080, 'HTTP', 'http');
const grpc = port(7070, 'GRPC', 'grpc');
const web = kubeService('web', 'shop', [http, grpc]);
const WEB = fqdn('web', 'shop');
const withSidecar = { tlsMode: 'istio', serviceAccount: 'web' };
const webEndpoints = [endpoint('10.2.0.1', http, withSidecar), endpoint('10.2.0.2', http, { serviceAccount: 'legacy' }), endpoint('10.2.0.1', grpc, withSidecar)];
const ADS = { ads: {}, resourceApiVersion: 'V3' };

type Parts = Parameters<typeof snapshot>[0];
const mesh = (parts: Parts = {}): MeshSnapshot => snapshot({ services: [web], endpoints: { [WEB]: webEndpoints }, ...parts });
const webRule = (trafficPolicy?: TrafficPolicy, subsets?: { name: string; labels?: Record<string, string>; trafficPolicy?: TrafficPolicy }[]) =>
  destinationRule('web', 'shop', { host: WEB, ...(trafficPolicy ? { trafficPolicy } : {}), ...(subsets ? { subsets } : {}) });

function cluster(snap: MeshSnapshot, name = `outbound|8080||${WEB}`, node = proxy('sidecar')): Record<string, unknown> {
  return resourceNamed(generateFor(cdsGenerator, snap, node), name);
}

describe('auto mTLS with no DestinationRule tls', () => {
  const main = cluster(mesh());

  it('offers Istio mutual TLS to endpoints labelled tlsMode=istio and plain text to the rest', () => {
    expect(main).not.toHaveProperty('transportSocket');
    expect(main['transportSocketMatches']).toEqual([
      {
        name: 'tlsMode-istio',
        match: { fields: { tlsMode: { stringValue: 'istio' } } },
        transportSocket: {
          name: 'envoy.transport_sockets.tls',
          typedConfig: {
            '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
            commonTlsContext: {
              tlsParams: { tlsMinimumProtocolVersion: 'TLSv1_2', tlsMaximumProtocolVersion: 'TLSv1_3' },
              tlsCertificateSdsSecretConfigs: [{ name: 'default', sdsConfig: ADS }],
              combinedValidationContext: {
                // The service accounts of the service's endpoints, as spiffe identities.
                defaultValidationContext: { matchSubjectAltNames: [{ exact: 'spiffe://cluster.local/ns/shop/sa/legacy' }, { exact: 'spiffe://cluster.local/ns/shop/sa/web' }] },
                validationContextSdsSecretConfig: { name: 'ROOTCA', sdsConfig: ADS },
              },
              alpnProtocols: ['istio-peer-exchange', 'istio'],
            },
            sni: `outbound_.8080_._.${WEB}`,
          },
        },
      },
      {
        name: 'tlsMode-disabled',
        match: {},
        transportSocket: { name: 'envoy.transport_sockets.raw_buffer', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer' } },
      },
    ]);
  });

  it('picks the transport per endpoint from the EDS metadata', () => {
    const snap = mesh();
    const node = proxy('sidecar');
    const view = indexResources({ listeners: [], routes: [], clusters: generateFor(cdsGenerator, snap, node), endpoints: generateFor(edsGenerator, snap, node) });
    const summary = summarizeCluster(view, `outbound|8080||${WEB}`);
    expect(summary.tls).toBe('auto-mtls');
    expect(summary.endpoints.map((e) => [e.address, e.tls, e.transportSocketMatch])).toEqual([
      ['10.2.0.1:8080', 'istio-mutual', 'tlsMode-istio'],
      ['10.2.0.2:8080', 'none', 'tlsMode-disabled'],
    ]);
  });

  it('accepts the service accounts under every trust domain alias too (Istio expands them)', () => {
    const c = cluster(mesh({ mesh: { trustDomain: 'new.example', trustDomainAliases: ['old.example'] } }));
    const tls = ((c['transportSocketMatches'] as Record<string, unknown>[])[0]!['transportSocket'] as { typedConfig: { commonTlsContext: Record<string, unknown> } }).typedConfig;
    expect((tls.commonTlsContext['combinedValidationContext'] as Record<string, unknown>)['defaultValidationContext']).toEqual({
      matchSubjectAltNames: ['spiffe://new.example/ns/shop/sa/legacy', 'spiffe://new.example/ns/shop/sa/web', 'spiffe://old.example/ns/shop/sa/legacy', 'spiffe://old.example/ns/shop/sa/web'].map((exact) => ({ exact })),
    });
  });

  it('adds h2 to the ALPN of HTTP/2 clusters and names the subset in the SNI', () => {
    const grpcCluster = cluster(mesh(), `outbound|7070||${WEB}`);
    const tls = (c: Record<string, unknown>) => ((c['transportSocketMatches'] as Record<string, unknown>[])[0]!['transportSocket'] as { typedConfig: Record<string, unknown> }).typedConfig;
    expect((tls(grpcCluster)['commonTlsContext'] as Record<string, unknown>)['alpnProtocols']).toEqual(['istio-peer-exchange', 'istio', 'h2']);
    const subset = cluster(mesh({ destinationRules: [webRule(undefined, [{ name: 'v1', labels: { version: 'v1' } }])] }), `outbound|8080|v1|${WEB}`);
    expect(tls(subset)['sni']).toBe(`outbound_.8080_.v1_.${WEB}`);
  });

  it('applies with a DestinationRule that sets other policies but no tls', () => {
    expect(cluster(mesh({ destinationRules: [webRule({ loadBalancer: { simple: 'RANDOM' } })] }))).toHaveProperty('transportSocketMatches');
  });

  it('applies to gateways too, not to proxyless gRPC clients (Istio leaves their TLS to explicit DestinationRules)', () => {
    expect(cluster(mesh(), `outbound|8080||${WEB}`, proxy('router', 'istio-system'))).toHaveProperty('transportSocketMatches');
    expect(cluster(mesh(), `outbound|7070||${WEB}`, proxy('proxyless'))).not.toHaveProperty('transportSocketMatches');
  });

  it('passes Envoy validation and the proto round trip', () => {
    expectValidOnTheWire(ClusterType, generateFor(cdsGenerator, mesh(), proxy('sidecar')));
  });
});

describe('no auto mTLS', () => {
  const plain = (snap: MeshSnapshot, name?: string): void => {
    const c = cluster(snap, name);
    expect(c).not.toHaveProperty('transportSocketMatches');
    expect(c).not.toHaveProperty('transportSocket');
  };

  it('when the mesh turns it off (enableAutoMtls: false)', () => {
    plain(mesh({ mesh: { enableAutoMtls: false } }));
  });

  it('when a DestinationRule sets tls, even DISABLE or an empty tls block (its mode defaults to DISABLE)', () => {
    plain(mesh({ destinationRules: [webRule({ tls: { mode: 'DISABLE' } })] }));
    plain(mesh({ destinationRules: [webRule({ tls: {} })] }));
    const explicit = cluster(mesh({ destinationRules: [webRule({ tls: { mode: 'ISTIO_MUTUAL' } })] }));
    expect(explicit).not.toHaveProperty('transportSocketMatches');
    expect(explicit).toHaveProperty('transportSocket');
  });

  it('when a subset sets tls, for that subset only', () => {
    const snap = mesh({ destinationRules: [webRule(undefined, [{ name: 'old', labels: { version: 'v0' }, trafficPolicy: { tls: { mode: 'DISABLE' } } }, { name: 'new', labels: { version: 'v1' } }])] });
    plain(snap, `outbound|8080|old|${WEB}`);
    expect(cluster(snap, `outbound|8080|new|${WEB}`)).toHaveProperty('transportSocketMatches');
  });

  it("when the destination namespace's PeerAuthentication is DISABLE, or the mesh's without a namespace one", () => {
    plain(mesh({ peerAuthentications: [peerAuthentication('default', 'shop', { mtls: { mode: 'DISABLE' } })] }));
    plain(mesh({ peerAuthentications: [peerAuthentication('default', 'istio-system', { mtls: { mode: 'DISABLE' } })] }));
    const namespaceWins = mesh({
      peerAuthentications: [peerAuthentication('default', 'istio-system', { mtls: { mode: 'DISABLE' } }), peerAuthentication('default', 'shop', { mtls: { mode: 'STRICT' } })],
    });
    expect(cluster(namespaceWins)).toHaveProperty('transportSocketMatches');
  });

  it('but still with a workload-level DISABLE: clients read namespace-level policy only (a DestinationRule must turn it off)', () => {
    const workload = peerAuthentication('web', 'shop', { selector: { matchLabels: { app: 'web' } }, mtls: { mode: 'DISABLE' } });
    expect(cluster(mesh({ peerAuthentications: [workload] }))).toHaveProperty('transportSocketMatches');
  });

  it('for services outside the mesh; a MESH_INTERNAL ServiceEntry gets it', () => {
    const external = serviceEntry('api.example.com', 'shop', 'STATIC', [http]);
    const internal = serviceEntry('vm.shop.internal', 'shop', 'STATIC', [http], { meshExternal: false });
    const snap = snapshot({ services: [external, internal], endpoints: { 'api.example.com': [endpoint('1.2.3.4', http)], 'vm.shop.internal': [endpoint('10.9.0.1', http, withSidecar)] } });
    plain(snap, 'outbound|8080||api.example.com');
    expect(cluster(snap, 'outbound|8080||vm.shop.internal')).toHaveProperty('transportSocketMatches');
  });
});

describe('clusters forwarding to the original destination (PASSTHROUGH)', () => {
  const passthrough = webRule({ loadBalancer: { simple: 'PASSTHROUGH' } });
  const allSidecars = { [WEB]: [endpoint('10.2.0.1', http, withSidecar), endpoint('10.2.0.3', http, withSidecar)] };

  it('use Istio mutual TLS outright when every endpoint of the port has a sidecar (no endpoint metadata to match)', () => {
    const c = cluster(mesh({ destinationRules: [passthrough], endpoints: allSidecars }));
    expect(c['type']).toBe('ORIGINAL_DST');
    expect(c).not.toHaveProperty('transportSocketMatches');
    expect(c['transportSocket']).toMatchObject({ name: 'envoy.transport_sockets.tls', typedConfig: { sni: `outbound_.8080_._.${WEB}` } });
  });

  it('use plain text when an endpoint has no sidecar, or there are none', () => {
    const mixed = cluster(mesh({ destinationRules: [passthrough] }));
    expect(mixed).not.toHaveProperty('transportSocket');
    expect(mixed).not.toHaveProperty('transportSocketMatches');
    expect(cluster(mesh({ destinationRules: [passthrough], endpoints: {} }))).not.toHaveProperty('transportSocket');
  });

  it("judge a subset by its own load balancer, the default cluster by the rule's top-level one", () => {
    const snap = mesh({
      endpoints: { [WEB]: [endpoint('10.2.0.1', http, { ...withSidecar, labels: { version: 'v1' } }), endpoint('10.2.0.2', http, { labels: { version: 'v0' } })] },
      destinationRules: [webRule(undefined, [{ name: 'direct', labels: { version: 'v1' }, trafficPolicy: { loadBalancer: { simple: 'PASSTHROUGH' } } }])],
    });
    // The subset forwards to the original destination and one of the port's endpoints has no sidecar: plain text.
    const direct = cluster(snap, `outbound|8080|direct|${WEB}`);
    expect(direct['type']).toBe('ORIGINAL_DST');
    expect(direct).not.toHaveProperty('transportSocket');
    expect(cluster(snap)).toHaveProperty('transportSocketMatches');
  });
});

import { describe, expect, it } from 'vitest';
import { cdsGenerator } from '../../../../src/xds/gen/cds/cds-generator.js';
import { HTTP_PROTOCOL_OPTIONS_KEY } from '../../../../src/xds/gen/common/type-names.js';
import { generateFor, namesOf, resourceNamed } from '../helpers/generate.js';
import { destinationRule, endpoint, fqdn, kubeService, port, proxy, serviceEntry, snapshot } from '../helpers/mesh-builder.js';

const http = port(9080, 'HTTP', 'http');
const grpc = port(7070, 'GRPC', 'grpc');
const reviews = kubeService('reviews', 'default', [http]);
const echo = kubeService('echo', 'echo', [grpc]);
const reviewsRule = destinationRule('reviews', 'default', {
  host: fqdn('reviews'),
  subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }],
});

describe('CDS for Envoy', () => {
  const snap = snapshot({ services: [reviews, echo], destinationRules: [reviewsRule] });
  const clusters = generateFor(cdsGenerator, snap, proxy('sidecar'));

  it("builds an EDS cluster per service port, fed over ADS, with Istio's defaults", () => {
    // Istio applies an empty traffic policy to every outbound cluster: LEAST_REQUEST (defaultLBAlgorithm),
    // circuit breakers at MaxUint32 (getDefaultCircuitBreakerThresholds) and an empty CommonLbConfig.
    const unlimited = { value: 4294967295 };
    expect(resourceNamed(clusters, `outbound|9080||${fqdn('reviews')}`)).toEqual({
      name: `outbound|9080||${fqdn('reviews')}`,
      type: 'EDS',
      connectTimeout: { seconds: 10 },
      lbPolicy: 'LEAST_REQUEST',
      edsClusterConfig: { edsConfig: { ads: {}, resourceApiVersion: 'V3' }, serviceName: `outbound|9080||${fqdn('reviews')}` },
      circuitBreakers: {
        thresholds: [{ maxConnections: unlimited, maxPendingRequests: unlimited, maxRequests: unlimited, maxRetries: unlimited, trackRemaining: true }],
      },
      commonLbConfig: {},
      // Auto mTLS (MeshConfig.enableAutoMtls defaults to true): Istio mutual TLS to endpoints labelled tlsMode=istio, plain text to others.
      transportSocketMatches: [
        {
          name: 'tlsMode-istio',
          match: { fields: { tlsMode: { stringValue: 'istio' } } },
          transportSocket: {
            name: 'envoy.transport_sockets.tls',
            typedConfig: {
              '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
              commonTlsContext: {
                tlsParams: { tlsMinimumProtocolVersion: 'TLSv1_2', tlsMaximumProtocolVersion: 'TLSv1_3' },
                tlsCertificateSdsSecretConfigs: [{ name: 'default', sdsConfig: { ads: {}, resourceApiVersion: 'V3' } }],
                // No endpoint names a service account here, so there is no SAN to check (Istio's StringToExactMatch(nil)).
                combinedValidationContext: { defaultValidationContext: {}, validationContextSdsSecretConfig: { name: 'ROOTCA', sdsConfig: { ads: {}, resourceApiVersion: 'V3' } } },
                alpnProtocols: ['istio-peer-exchange', 'istio'],
              },
              sni: `outbound_.9080_._.${fqdn('reviews')}`,
            },
          },
        },
        {
          name: 'tlsMode-disabled',
          match: {},
          transportSocket: { name: 'envoy.transport_sockets.raw_buffer', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer' } },
        },
      ],
    });
  });

  it('builds one subset cluster per DestinationRule subset', () => {
    expect(namesOf(clusters)).toEqual(expect.arrayContaining([`outbound|9080|v1|${fqdn('reviews')}`, `outbound|9080|v2|${fqdn('reviews')}`]));
    expect(resourceNamed(clusters, `outbound|9080|v2|${fqdn('reviews')}`)['edsClusterConfig']).toEqual({
      edsConfig: { ads: {}, resourceApiVersion: 'V3' },
      serviceName: `outbound|9080|v2|${fqdn('reviews')}`,
    });
  });

  it('speaks HTTP/2 upstream for gRPC ports only', () => {
    const options = resourceNamed(clusters, `outbound|7070||${fqdn('echo', 'echo')}`)['typedExtensionProtocolOptions'] as Record<string, unknown>;
    expect(options[HTTP_PROTOCOL_OPTIONS_KEY]).toMatchObject({ explicitHttpConfig: { http2ProtocolOptions: {} } });
    expect(resourceNamed(clusters, `outbound|9080||${fqdn('reviews')}`)).not.toHaveProperty('typedExtensionProtocolOptions');
  });

  it('adds BlackHoleCluster and PassthroughCluster', () => {
    expect(resourceNamed(clusters, 'BlackHoleCluster')).toMatchObject({ type: 'STATIC' });
    expect(resourceNamed(clusters, 'BlackHoleCluster')).not.toHaveProperty('loadAssignment');
    // Istio's buildDefaultPassthroughCluster: the client's protocol upstream, and the default (unlimited) circuit breakers.
    const unlimited = { value: 4294967295 };
    expect(resourceNamed(clusters, 'PassthroughCluster')).toEqual({
      name: 'PassthroughCluster',
      type: 'ORIGINAL_DST',
      connectTimeout: { seconds: 10 },
      lbPolicy: 'CLUSTER_PROVIDED',
      typedExtensionProtocolOptions: {
        [HTTP_PROTOCOL_OPTIONS_KEY]: {
          '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
          useDownstreamProtocolConfig: { httpProtocolOptions: {}, http2ProtocolOptions: {} },
        },
      },
      circuitBreakers: {
        thresholds: [{ maxConnections: unlimited, maxPendingRequests: unlimited, maxRequests: unlimited, maxRetries: unlimited, trackRemaining: true }],
      },
    });
  });

  it('with names, returns only those that exist', () => {
    const named = generateFor(cdsGenerator, snap, proxy('sidecar'), [`outbound|9080|v1|${fqdn('reviews')}`, 'outbound|1|| nosuch', 'BlackHoleCluster']);
    expect(namesOf(named)).toEqual([`outbound|9080|v1|${fqdn('reviews')}`, 'BlackHoleCluster']);
  });
});

describe('CDS for ServiceEntry resolutions', () => {
  const tcp = port(5432, 'TCP', 'pg');
  const web = port(80, 'HTTP', 'http');

  it('STATIC → an EDS cluster, as Istio load-balances a STATIC ServiceEntry client-side (convertResolution)', () => {
    const db = serviceEntry('db.internal', 'default', 'STATIC', [tcp]);
    const snap = snapshot({ services: [db], endpoints: { 'db.internal': [endpoint('192.168.0.1', tcp)] } });
    const cluster = resourceNamed(generateFor(cdsGenerator, snap, proxy('sidecar')), 'outbound|5432||db.internal');
    expect(cluster).toMatchObject({ type: 'EDS', edsClusterConfig: { serviceName: 'outbound|5432||db.internal' } });
    expect(cluster).not.toHaveProperty('loadAssignment');
  });

  it('STATIC without endpoints still has its cluster: an EDS cluster waits for endpoints', () => {
    const snap = snapshot({ services: [serviceEntry('db.internal', 'default', 'STATIC', [tcp])] });
    expect(namesOf(generateFor(cdsGenerator, snap, proxy('sidecar')))).toContain('outbound|5432||db.internal');
  });

  it('DNS → STRICT_DNS resolving the host itself when there are no endpoints', () => {
    const snap = snapshot({ services: [serviceEntry('httpbin.org', 'default', 'DNS', [web])] });
    const cluster = resourceNamed(generateFor(cdsGenerator, snap, proxy('sidecar')), 'outbound|80||httpbin.org');
    expect(cluster).toMatchObject({ type: 'STRICT_DNS', dnsLookupFamily: 'V4_ONLY', respectDnsTtl: true });
    expect(cluster['loadAssignment']).toMatchObject({
      endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: 'httpbin.org', portValue: 80 } } } }] }],
    });
  });

  it('DNS_ROUND_ROBIN → LOGICAL_DNS with a single endpoint', () => {
    const svc = serviceEntry('api.example.com', 'default', 'DNS_ROUND_ROBIN', [web]);
    const snap = snapshot({
      services: [svc],
      endpoints: { 'api.example.com': [endpoint('a.example.com', web), endpoint('b.example.com', web)] },
    });
    const cluster = resourceNamed(generateFor(cdsGenerator, snap, proxy('sidecar')), 'outbound|80||api.example.com');
    expect(cluster['type']).toBe('LOGICAL_DNS');
    const localities = (cluster['loadAssignment'] as { endpoints: { lbEndpoints: unknown[] }[] }).endpoints;
    expect(localities.flatMap((l) => l.lbEndpoints)).toHaveLength(1);
  });

  it('NONE → ORIGINAL_DST', () => {
    const snap = snapshot({ services: [serviceEntry('*.wild.example', 'default', 'NONE', [tcp])] });
    const cluster = resourceNamed(generateFor(cdsGenerator, snap, proxy('sidecar')), 'outbound|5432||*.wild.example');
    expect(cluster).toMatchObject({ type: 'ORIGINAL_DST', lbPolicy: 'CLUSTER_PROVIDED' });
    expect(cluster).not.toHaveProperty('loadAssignment');
  });
});

describe('CDS for proxyless gRPC', () => {
  const snap = snapshot({
    services: [reviews, serviceEntry('httpbin.org', 'default', 'DNS', [port(80)])],
    destinationRules: [reviewsRule],
  });
  const clusters = generateFor(cdsGenerator, snap, proxy('proxyless'));

  it('offers only EDS outbound and subset clusters', () => {
    expect(namesOf(clusters)).toEqual([
      `outbound|9080||${fqdn('reviews')}`,
      `outbound|9080|v1|${fqdn('reviews')}`,
      `outbound|9080|v2|${fqdn('reviews')}`,
    ]);
    expect(clusters.every((c) => c.resource['type'] === 'EDS')).toBe(true);
  });

  it('keys on envoy versus proxyless and on the DestinationRule view of the client namespace', () => {
    // A rule for another namespace's service gives its own namespace a view of its own (it shadows the public rule there).
    const snap = snapshot({ services: [reviews], destinationRules: [reviewsRule, destinationRule('for-shop', 'shop', { host: fqdn('reviews') })] });
    // The inbound part is a sidecar's own workload, tested with the inbound clusters; here only the outbound parts count.
    const key = (type: Parameters<typeof proxy>[0], namespace = 'default'): unknown => {
      const { inbound: _inbound, ...outbound } = cdsGenerator.keyOf(proxy(type, namespace), snap);
      return outbound;
    };
    // Sidecars and gateways differ only in reading credentialName Secrets, which no rule here names.
    expect(key('sidecar', 'a')).toEqual(key('router', 'a'));
    expect(key('sidecar', 'a')).toEqual(key('sidecar', 'b'));
    expect(key('sidecar', 'default')).toEqual(key('sidecar', 'a'));
    expect(key('sidecar', 'shop')).not.toEqual(key('sidecar', 'a'));
    expect(key('sidecar')).not.toEqual(key('proxyless'));
  });
});

describe('CDS subsets follow the DestinationRule the client namespace sees', () => {
  // Istio's precedence (PushContext.destinationRule): the client's own namespace, then the service's, then the root namespace.
  const ownRule = destinationRule('reviews-for-shop', 'shop', { host: fqdn('reviews'), subsets: [{ name: 'canary', labels: { track: 'canary' } }] });
  const privateRule = destinationRule('reviews-private', 'default', {
    host: fqdn('reviews'),
    subsets: [{ name: 'v1', labels: { version: 'v1' } }],
    exportTo: ['.'],
  });
  const subsetNames = (snap: ReturnType<typeof snapshot>, namespace: string): string[] =>
    namesOf(generateFor(cdsGenerator, snap, proxy('sidecar', namespace))).filter((n) => n.startsWith('outbound|9080|') && !n.startsWith('outbound|9080||'));

  it('a client in a namespace with its own rule for the host gets that rule, others get the service namespace rule', () => {
    const snap = snapshot({ services: [reviews], destinationRules: [reviewsRule, ownRule] });
    expect(subsetNames(snap, 'shop')).toEqual([`outbound|9080|canary|${fqdn('reviews')}`]);
    expect(subsetNames(snap, 'other')).toEqual([`outbound|9080|v1|${fqdn('reviews')}`, `outbound|9080|v2|${fqdn('reviews')}`]);
  });

  it('a rule exported only to its own namespace is not seen from another', () => {
    const snap = snapshot({ services: [reviews], destinationRules: [privateRule] });
    expect(subsetNames(snap, 'default')).toEqual([`outbound|9080|v1|${fqdn('reviews')}`]);
    expect(subsetNames(snap, 'other')).toEqual([]);
  });
});

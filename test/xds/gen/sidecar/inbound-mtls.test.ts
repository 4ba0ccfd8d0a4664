/**
 * A sidecar's inbound chains under each PeerAuthentication mode, against
 * Istio's documented behaviour (istio.io PeerAuthentication reference:
 * STRICT "connection is an mTLS tunnel (TLS with client cert must be
 * presented)", PERMISSIVE "connection can be either plaintext or mTLS
 * tunnel", DISABLE "connection is not tunneled"; portLevelMtls keyed by
 * the workload's port) and the chain shapes of Istio's
 * filterchain_options.go / authn utils.BuildInboundTLS:
 * - mTLS chains match transport_protocol "tls" and terminate TLS with the
 *   workload certificate (SDS "default"), requiring a client certificate
 *   verified against SDS "ROOTCA" and a spiffe://<trust domain>/ prefix;
 * - PERMISSIVE tells mTLS from plaintext by transport protocol and Istio's
 *   ALPN values, so the listener gets the TLS inspector.
 */
import { describe, expect, it } from 'vitest';
import type { MeshSnapshot } from '../../../../src/model/types.js';
import { cdsGenerator } from '../../../../src/xds/gen/cds/cds-generator.js';
import { edsGenerator } from '../../../../src/xds/gen/eds/eds-generator.js';
import { ldsGenerator } from '../../../../src/xds/gen/lds/lds-generator.js';
import { rdsGenerator } from '../../../../src/xds/gen/rds/rds-generator.js';
import { ListenerType } from '../../../../src/xds/proto/type-urls.js';
import { simulate } from '../../../simulation/simulate.js';
import type { SimulatedRequest } from '../../../simulation/request.js';
import { expectValidOnTheWire } from '../gateway/helpers/gateway-mesh.js';
import { generateFor, resourceNamed } from '../helpers/generate.js';
import { kubeService, peerAuthentication, port, sidecarResource, snapshot } from '../helpers/mesh-builder.js';
import { chains, ISTIO_SUPPORTED_CIPHERS, workloadProxy, type Json } from './sidecar-test-helpers.js';

// Service port 80 sends to the workload's 8080; 3306 is TCP.
const http = { ...port(80, 'HTTP', 'http'), targetPort: 8080 };
const mysql = port(3306, 'MYSQL', 'mysql');
const reviews = kubeService('reviews', 'default', [http, mysql], { clusterIP: '10.96.0.12' });
const proxy = workloadProxy('reviews');

const meshWide = (mode: string) => peerAuthentication('default', 'istio-system', { mtls: { mode } });
const snapWith = (...policies: ReturnType<typeof peerAuthentication>[]): MeshSnapshot => snapshot({ services: [reviews], peerAuthentications: policies });

function virtualInbound(snap: MeshSnapshot, node = proxy): Json {
  return resourceNamed(generateFor(ldsGenerator, snap, node), 'virtualInbound');
}

function match(chain: Json): Json {
  return chain['filterChainMatch'] as Json;
}

/** Chains matching a destination port (0: the port-less passthrough chains, blackhole excluded). */
function chainsFor(listener: Json, destinationPort: number): Json[] {
  return chains(listener).filter((c) => ((match(c)['destinationPort'] as Json | undefined)?.['value'] ?? 0) === destinationPort);
}

function transport(chain: Json): string {
  return `${String(match(chain)['transportProtocol'])}${chain['transportSocket'] ? '+mtls' : ''}`;
}

function listenerFilterNames(listener: Json): string[] {
  return ((listener['listenerFilters'] as Json[] | undefined) ?? []).map((f) => String(f['name']));
}

/** The DownstreamTlsContext Istio's BuildInboundTLS produces, for the chain's ALPN. */
function istioInboundTls(alpn: string[], trustDomain = 'cluster.local'): Json {
  const ads = { ads: {}, resourceApiVersion: 'V3' };
  return {
    name: 'envoy.transport_sockets.tls',
    typedConfig: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      commonTlsContext: {
        tlsParams: {
          tlsMinimumProtocolVersion: 'TLSv1_2',
          tlsMaximumProtocolVersion: 'TLSv1_3',
          cipherSuites: [...ISTIO_SUPPORTED_CIPHERS],
        },
        tlsCertificateSdsSecretConfigs: [{ name: 'default', sdsConfig: ads }],
        combinedValidationContext: {
          defaultValidationContext: { matchSubjectAltNames: [{ prefix: `spiffe://${trustDomain}/` }] },
          validationContextSdsSecretConfig: { name: 'ROOTCA', sdsConfig: ads },
        },
        alpnProtocols: alpn,
      },
      requireClientCertificate: { value: true },
    },
  };
}

// What a sidecar client sends (Istio's outbound ALPN override: "istio-http/1.1" for HTTP/1.1 over mTLS, "istio" always).
const fromSidecar: Partial<SimulatedRequest> = { protocol: 'https', alpn: ['istio-http/1.1', 'istio', 'http/1.1'], sni: 'outbound_.80_._.reviews.default.svc.cluster.local', clientCertificate: true };
const inboundHttp = (extra: Partial<SimulatedRequest> = {}): SimulatedRequest => ({ protocol: 'http', mode: 'inbound', address: '10.1.0.1', port: 8080, authority: 'reviews:80', ...extra });

function resourcesOf(snap: MeshSnapshot): Parameters<typeof simulate>[0] {
  return {
    listeners: generateFor(ldsGenerator, snap, proxy),
    routes: generateFor(rdsGenerator, snap, proxy),
    clusters: generateFor(cdsGenerator, snap, proxy),
    endpoints: generateFor(edsGenerator, snap, proxy),
  };
}

describe('inbound chains without any PeerAuthentication: PERMISSIVE, Istio\'s default', () => {
  const snap = snapWith();
  const listener = virtualInbound(snap);

  it('gives an HTTP port an mTLS chain (matched by Istio ALPN) and a plaintext chain', () => {
    const port8080 = chainsFor(listener, 8080);
    expect(port8080.map(transport)).toEqual(['tls+mtls', 'raw_buffer']);
    expect(match(port8080[0]!)['applicationProtocols']).toEqual(['istio', 'istio-peer-exchange', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2']);
    expect(port8080[0]!['transportSocket']).toEqual(istioInboundTls(['h2', 'http/1.1']));
    expect(port8080.map((c) => c['name'])).toEqual(['0.0.0.0_8080', '0.0.0.0_8080']);
  });

  it('gives a TCP port an mTLS chain, a chain passing one-way TLS through untouched, and a plaintext chain', () => {
    const port3306 = chainsFor(listener, 3306);
    expect(port3306.map(transport)).toEqual(['tls+mtls', 'tls', 'raw_buffer']);
    // TCP mTLS chains also offer istio-peer-exchange (metadata exchange).
    expect(port3306[0]!['transportSocket']).toEqual(istioInboundTls(['istio-peer-exchange', 'h2', 'http/1.1']));
  });

  it('gives the passthrough five chains: HTTP and TCP over mTLS, plaintext HTTP, plaintext TCP, one-way TLS', () => {
    const passthrough = chainsFor(listener, 0);
    expect(passthrough.map((c) => [c['name'], transport(c), match(c)['applicationProtocols']])).toEqual([
      ['virtualInbound-catchall-http', 'tls+mtls', ['istio-http/1.0', 'istio-http/1.1', 'istio-h2']],
      ['virtualInbound-catchall-http', 'raw_buffer', ['http/1.1', 'h2c']],
      ['virtualInbound', 'tls+mtls', ['istio-peer-exchange', 'istio']],
      ['virtualInbound', 'raw_buffer', undefined],
      ['virtualInbound', 'tls', undefined],
    ]);
  });

  it('adds the TLS inspector, except on 15006 itself (no chain there matches on TLS)', () => {
    expect(listenerFilterNames(listener)).toEqual(['envoy.filters.listener.original_dst', 'envoy.filters.listener.tls_inspector', 'envoy.filters.listener.http_inspector']);
    const inspector = (listener['listenerFilters'] as Json[])[1];
    expect(inspector?.['filterDisabled']).toEqual({ destinationPortRange: { start: 15006, end: 15007 } });
  });

  it('serves a sidecar client over mTLS and a client without a sidecar in plain text, to the same app', () => {
    const resources = resourcesOf(snap);
    const mtls = simulate(resources, inboundHttp(fromSidecar));
    expect(mtls.downstreamTls).toMatchObject({ requireClientCertificate: true, certificateSecrets: ['default'] });
    expect(mtls.http?.action).toMatchObject({ kind: 'forward', targets: [{ cluster: 'inbound|8080||' }] });
    const plain = simulate(resources, inboundHttp());
    expect(plain.terminatesTls).toBe(false);
    expect(plain.http?.action).toMatchObject({ kind: 'forward', targets: [{ cluster: 'inbound|8080||' }] });
  });

  it("passes a client's own TLS to a TCP port through without terminating it", () => {
    const result = simulate(resourcesOf(snap), { protocol: 'tls', mode: 'inbound', address: '10.1.0.1', port: 3306, sni: 'db.example', alpn: [] });
    expect(result.terminatesTls).toBe(false);
    expect(result.tcp?.targets).toEqual([{ cluster: 'inbound|3306||', weight: 100 }]);
  });
});

describe('mesh-wide STRICT', () => {
  const snap = snapWith(meshWide('STRICT'));
  const listener = virtualInbound(snap);

  it('leaves only mTLS chains, on service ports and in the passthrough', () => {
    expect(chainsFor(listener, 8080).map(transport)).toEqual(['tls+mtls']);
    expect(chainsFor(listener, 3306).map(transport)).toEqual(['tls+mtls']);
    expect(chainsFor(listener, 0).map((c) => [c['name'], transport(c)])).toEqual([
      ['virtualInbound-catchall-http', 'tls+mtls'],
      ['virtualInbound', 'tls+mtls'],
    ]);
    expect(chains(listener).filter((c) => match(c)['transportProtocol'] === 'raw_buffer')).toEqual([]);
  });

  it('refuses plain text, and mTLS without a client certificate; accepts a sidecar client', () => {
    const resources = resourcesOf(snap);
    expect(() => simulate(resources, inboundHttp())).toThrow(/^filter chain: /);
    expect(() => simulate(resources, { protocol: 'tcp', mode: 'inbound', address: '10.1.0.1', port: 3306 })).toThrow(/^filter chain: /);
    expect(() => simulate(resources, inboundHttp({ ...fromSidecar, clientCertificate: false }))).toThrow(/^tls: .*requires a client certificate/);
    expect(simulate(resources, inboundHttp(fromSidecar)).http?.action).toMatchObject({ targets: [{ cluster: 'inbound|8080||' }] });
  });

  it("verifies clients against the mesh's trust domain, and its aliases (each a spiffe://<domain>/ prefix)", () => {
    const other = snapshot({ services: [reviews], peerAuthentications: [meshWide('STRICT')], mesh: { trustDomain: 'example.org' } });
    expect(chainsFor(virtualInbound(other), 8080)[0]!['transportSocket']).toEqual(istioInboundTls(['h2', 'http/1.1'], 'example.org'));
    const aliased = snapshot({ services: [reviews], peerAuthentications: [meshWide('STRICT')], mesh: { trustDomain: 'new.example', trustDomainAliases: ['old.example', 'new.example'] } });
    const context = (chainsFor(virtualInbound(aliased), 8080)[0]!['transportSocket'] as { typedConfig: { commonTlsContext: Json } }).typedConfig.commonTlsContext;
    expect((context['combinedValidationContext'] as Json)['defaultValidationContext']).toEqual({
      matchSubjectAltNames: [{ prefix: 'spiffe://new.example/' }, { prefix: 'spiffe://old.example/' }],
    });
  });
});

describe('DISABLE', () => {
  it('leaves plaintext chains only, and no TLS inspector', () => {
    const listener = virtualInbound(snapWith(meshWide('STRICT'), peerAuthentication('default', 'default', { mtls: { mode: 'DISABLE' } })));
    expect(chains(listener).map(transport).filter((t) => t !== 'undefined')).toEqual(['raw_buffer', 'raw_buffer', 'raw_buffer', 'raw_buffer']);
    expect(chains(listener).some((c) => c['transportSocket'])).toBe(false);
    expect(listenerFilterNames(listener)).not.toContain('envoy.filters.listener.tls_inspector');
  });
});

describe('portLevelMtls', () => {
  const workload = (portLevelMtls: Json) => peerAuthentication('reviews', 'default', { selector: { matchLabels: { app: 'reviews' } }, portLevelMtls });

  it('is keyed by the port the workload listens on (targetPort 8080, not service port 80)', () => {
    const listener = virtualInbound(snapWith(meshWide('STRICT'), workload({ '8080': { mode: 'DISABLE' } })));
    expect(chainsFor(listener, 8080).map(transport)).toEqual(['raw_buffer']);
    expect(chainsFor(listener, 3306).map(transport)).toEqual(['tls+mtls']);
  });

  it('an UNSET port inherits the workload mode, which inherits the mesh mode', () => {
    const listener = virtualInbound(snapWith(meshWide('STRICT'), workload({ '8080': {}, '3306': { mode: 'PERMISSIVE' } })));
    expect(chainsFor(listener, 8080).map(transport)).toEqual(['tls+mtls']);
    expect(chainsFor(listener, 3306).map(transport)).toEqual(['tls+mtls', 'tls', 'raw_buffer']);
  });

  it('gives a port no service targets passthrough chains of its own with that mode', () => {
    // 80 is the service port, not a workload port: the setting applies to traffic for 80 reaching the passthrough.
    const listener = virtualInbound(snapWith(meshWide('STRICT'), workload({ '80': { mode: 'DISABLE' }, '8080': { mode: 'PERMISSIVE' } })));
    expect(chainsFor(listener, 80).map((c) => [c['name'], transport(c)])).toEqual([
      ['virtualInbound-catchall-http', 'raw_buffer'],
      ['virtualInbound', 'raw_buffer'],
    ]);
    // 8080 has service chains already; no passthrough chains of its own.
    expect(chainsFor(listener, 8080).map((c) => c['name'])).toEqual(['0.0.0.0_8080', '0.0.0.0_8080']);
    expect(chainsFor(listener, 0).map(transport)).toEqual(['tls+mtls', 'tls+mtls']);
    // The TLS inspector stays off on 80, whose chains are all plaintext.
    const inspector = (virtualInbound(snapWith(meshWide('STRICT'), workload({ '80': { mode: 'DISABLE' } })))['listenerFilters'] as Json[])[1];
    expect(inspector).toMatchObject({ name: 'envoy.filters.listener.tls_inspector', filterDisabled: { orMatch: { rules: [80, 15006].map((p) => ({ destinationPortRange: { start: p, end: p + 1 } })) } } });
  });

  it('only from a policy selecting this workload', () => {
    const other = peerAuthentication('ratings', 'default', { selector: { matchLabels: { app: 'ratings' } }, portLevelMtls: { '8080': { mode: 'DISABLE' } } });
    expect(chainsFor(virtualInbound(snapWith(meshWide('STRICT'), other)), 8080).map(transport)).toEqual(['tls+mtls']);
  });
});

describe('Sidecar ingress listeners', () => {
  const sidecar = sidecarResource('reviews', 'default', {
    workloadSelector: { matchLabels: { app: 'reviews' } },
    ingress: [
      { port: { number: 9080, protocol: 'HTTP', name: 'http' }, defaultEndpoint: '127.0.0.1:8080' },
      { port: { number: 9000, protocol: 'TCP', name: 'admin' }, defaultEndpoint: '127.0.0.1:9000', captureMode: 'NONE', bind: '10.1.0.1' },
    ],
  });
  const workload = peerAuthentication('reviews', 'default', { selector: { matchLabels: { app: 'reviews' } }, portLevelMtls: { '9080': { mode: 'STRICT' }, '8080': { mode: 'DISABLE' } } });
  const snap = snapshot({ services: [reviews], sidecars: [sidecar], peerAuthentications: [workload] });
  const listeners = generateFor(ldsGenerator, snap, proxy);

  it('take the mode of their port; a port-level setting for a port the Sidecar does not declare gets passthrough chains', () => {
    const listener = resourceNamed(listeners, 'virtualInbound');
    expect(chainsFor(listener, 9080).map(transport)).toEqual(['tls+mtls']);
    // The Sidecar replaces the service's chains, so 8080 is no longer claimed.
    expect(chainsFor(listener, 8080).map((c) => [c['name'], transport(c)])).toEqual([
      ['virtualInbound-catchall-http', 'raw_buffer'],
      ['virtualInbound', 'raw_buffer'],
    ]);
  });

  it('bound to their own port (captureMode NONE), get the TLS inspector but no original_dst', () => {
    const own = resourceNamed(listeners, '10.1.0.1_9000');
    expect(chains(own).map(transport)).toEqual(['tls+mtls', 'tls', 'raw_buffer']);
    expect(listenerFilterNames(own)).toEqual(['envoy.filters.listener.tls_inspector']);
  });

  it('pass Envoy validation and the proto round trip', () => {
    expectValidOnTheWire(ListenerType, listeners);
  });
});

describe('LDS keys', () => {
  it('change with the PeerAuthentication that applies, and stay shared by replicas', () => {
    const strict = snapWith(meshWide('STRICT'));
    const permissive = snapWith(meshWide('PERMISSIVE'));
    expect(ldsGenerator.keyOf(proxy, strict)).not.toEqual(ldsGenerator.keyOf(proxy, permissive));
    const replica = { ...proxy, id: 'sidecar~10.1.0.2~pod-2.default~default.svc.cluster.local', podName: 'pod-2', ipAddresses: ['10.1.0.2'] };
    expect(ldsGenerator.keyOf(replica, strict)).toEqual(ldsGenerator.keyOf(proxy, strict));
  });
});

describe('every mode on the wire', () => {
  it('passes Envoy validation and the proto round trip', () => {
    for (const mode of ['STRICT', 'PERMISSIVE', 'DISABLE']) expectValidOnTheWire(ListenerType, generateFor(ldsGenerator, snapWith(meshWide(mode)), proxy));
  });
});

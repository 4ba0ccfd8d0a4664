/**
 * Inbound listeners for xDS-enabled gRPC servers, checked against Istio's
 * grpcgen (lds.go buildInboundListeners, buildInboundFilterChains,
 * buildInboundFilterChain, buildRBAC): asked for by name only
 * ("xds.istio.io/grpc/lds/inbound/<ip>:<port>", the template pilot-agent's
 * gRPC bootstrap declares), built only for a port the server's workload
 * serves, one filter chain whose TLS follows PeerAuthentication (STRICT:
 * mutual TLS with the bootstrap's certificate providers; PERMISSIVE:
 * plaintext unless the pod is labelled security.istio.io/tlsMode=istio;
 * DISABLE: plaintext), an inline route to the server itself, and RBAC for
 * DENY then ALLOW policies only (gRFC A41). Every listener passes Envoy's
 * validate rules (tsiod's gate) and survives the protos.
 */
import { describe, expect, it } from 'vitest';
import { snapshotFromData } from '../../../../src/model/serialize-snapshot.js';
import { DEFAULT_MESH_CONFIG, type IstioConfig, type MeshSnapshot, type WorkloadPolicySpec } from '../../../../src/model/types.js';
import { ldsGenerator } from '../../../../src/xds/gen/lds/lds-generator.js';
import { ListenerType } from '../../../../src/xds/proto/type-urls.js';
import { typeForUrl } from '../../../../src/xds/proto/envoy-protos.js';
import { envoyValidator } from '../../../../src/xds/validate/envoy-validator.js';
import { generateFor, namesOf, resourceNamed } from '../helpers/generate.js';
import { kubeService, peerAuthentication, port, proxy } from '../helpers/mesh-builder.js';
import { canonical, roundTrip } from '../helpers/proto-round-trip.js';

type Json = Record<string, unknown>;

/** Istio's grpcxds.ServerListenerNamePrefix, written out from its source rather than imported from tsiod. */
const PREFIX = 'xds.istio.io/grpc/lds/inbound/';
const SERVER_PORT = 8080;
const NAME = `${PREFIX}10.1.0.1:${SERVER_PORT}`;
const DOWNSTREAM_TLS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const RBAC = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';

// The server's Service targets 8080 through a service port 80; the listener goes by the workload port, as Istio's serviceInstancesByPort[TargetPort].
const echo = kubeService('echo', 'default', [{ ...port(80, 'GRPC', 'grpc'), targetPort: SERVER_PORT }]);
const server = proxy('proxyless', 'default', { app: 'echo' });

function authz(name: string, action: string, spec: Json, annotations?: Record<string, string>): IstioConfig<WorkloadPolicySpec> {
  return {
    meta: { kind: 'AuthorizationPolicy', apiVersion: 'security.istio.io/v1', name, namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec: { action, ...spec } as WorkloadPolicySpec,
  };
}

function mesh(parts: { peerAuthentications?: IstioConfig<WorkloadPolicySpec>[]; authorizationPolicies?: IstioConfig<WorkloadPolicySpec>[] } = {}): MeshSnapshot {
  return snapshotFromData({
    id: 1,
    mesh: DEFAULT_MESH_CONFIG,
    services: [echo],
    endpoints: {},
    peerAuthentications: parts.peerAuthentications ?? [],
    authorizationPolicies: parts.authorizationPolicies ?? [],
  });
}

const strict = peerAuthentication('strict', 'default', { mtls: { mode: 'STRICT' } } as WorkloadPolicySpec);
const disable = peerAuthentication('off', 'default', { mtls: { mode: 'DISABLE' } } as WorkloadPolicySpec);

function inbound(snap: MeshSnapshot, node = server, name = NAME): Json {
  return resourceNamed(generateFor(ldsGenerator, snap, node, [name]), name);
}

function onlyChain(listener: Json): Json {
  const chains = listener['filterChains'] as Json[];
  expect(chains).toHaveLength(1);
  return chains[0] as Json;
}

function hcmOf(chain: Json): Json {
  const filters = chain['filters'] as Json[];
  expect(filters).toHaveLength(1);
  return (filters[0] as Json)['typedConfig'] as Json;
}

const httpFilterNames = (listener: Json): string[] => (hcmOf(onlyChain(listener))['httpFilters'] as Json[]).map((f) => String(f['name']));

function expectValidOnTheWire(listener: Json): void {
  const type = typeForUrl(ListenerType);
  expect(envoyValidator().validateEncoded(type, type.encode(type.fromObject(listener)).finish())).toEqual([]);
  expect(canonical(roundTrip(ListenerType, listener))).toEqual(canonical(listener));
}

describe('proxyless inbound listeners: which names get one', () => {
  it('answers a name for a served port with a listener of that name at that address, and no listener filters', () => {
    const listener = inbound(mesh());
    expect(listener['name']).toBe(NAME);
    expect(listener['address']).toEqual({ socketAddress: { address: '10.1.0.1', portValue: SERVER_PORT } });
    expect(listener).not.toHaveProperty('listenerFilters');
    expect(listener).not.toHaveProperty('useOriginalDst');
    expect(listener).not.toHaveProperty('apiListener');
  });

  it('takes the address from the name, bracketed IPv6 and wildcard included (grpc-go asks for "[::]:<port>" when it listens on all addresses)', () => {
    for (const [address, host] of [['[::]:8080', '::'], ['0.0.0.0:8080', '0.0.0.0'], ['[fd00::7]:8080', 'fd00::7']] as const) {
      const listener = inbound(mesh(), server, PREFIX + address);
      expect(listener['address']).toEqual({ socketAddress: { address: host, portValue: SERVER_PORT } });
    }
  });

  it('answers nothing for a port the workload does not serve (the service port itself included), an unreadable address, or a workload no service selects', () => {
    const names = [`${PREFIX}10.1.0.1:80`, `${PREFIX}10.1.0.1:9999`, `${PREFIX}10.1.0.1`, `${PREFIX}fd00::7:8080`, `${PREFIX}10.1.0.1:http`];
    expect(generateFor(ldsGenerator, mesh(), server, names)).toEqual([]);
    expect(generateFor(ldsGenerator, mesh(), proxy('proxyless', 'default', { app: 'other' }), [NAME])).toEqual([]);
  });

  it('sends no inbound listener on a wildcard request, and still answers dialed names beside inbound ones', () => {
    expect(namesOf(generateFor(ldsGenerator, mesh(), server)).filter((n) => n.startsWith(PREFIX))).toEqual([]);
    const both = generateFor(ldsGenerator, mesh(), server, ['echo:80', NAME]);
    expect(namesOf(both).sort()).toEqual(['echo:80', NAME].sort());
  });

  it('puts what the listener depends on into the key: servers with other labels, modes or policies do not share output', () => {
    const k = (snap: MeshSnapshot, node = server): string => JSON.stringify(ldsGenerator.keyOf(node, snap));
    expect(k(mesh())).not.toBe(k(mesh({ peerAuthentications: [strict] })));
    expect(k(mesh())).not.toBe(k(mesh({ authorizationPolicies: [authz('deny', 'DENY', { rules: [{}] })] })));
    expect(k(mesh())).not.toBe(k(mesh(), proxy('proxyless', 'default', { app: 'other' })));
    // A client no service selects and no policy names: empty inbound parts, so every such client shares one key.
    expect(ldsGenerator.keyOf(proxy('proxyless', 'default', { app: 'other' }), mesh())).toEqual({ kind: 'proxyless', namespace: 'default', inboundMtlsPorts: [], inboundPlaintextPorts: [], inboundAuthorizationPolicies: [] });
  });
});

describe('proxyless inbound listeners: TLS from PeerAuthentication (grpcgen buildInboundFilterChains)', () => {
  it('STRICT: one "inbound-mtls" chain whose DownstreamTlsContext requires a client certificate, with the bootstrap\'s "default" provider for the identity and "ROOTCA" for the roots, and no SAN check', () => {
    const chain = onlyChain(inbound(mesh({ peerAuthentications: [strict] })));
    expect(chain['name']).toBe('inbound-mtls');
    expect(chain).not.toHaveProperty('filterChainMatch');
    expect(chain['transportSocket']).toEqual({
      name: 'envoy.transport_sockets.tls',
      typedConfig: {
        '@type': DOWNSTREAM_TLS,
        // A google.protobuf.BoolValue.
        requireClientCertificate: { value: true },
        commonTlsContext: {
          tlsCertificateProviderInstance: { instanceName: 'default', certificateName: 'default' },
          validationContext: { caCertificateProviderInstance: { instanceName: 'default', certificateName: 'ROOTCA' } },
        },
      },
    });
  });

  it('DISABLE, and PERMISSIVE (the default) without the tlsMode label: one "inbound-plaintext" chain without a transport socket', () => {
    for (const snap of [mesh({ peerAuthentications: [disable] }), mesh()]) {
      const chain = onlyChain(inbound(snap));
      expect(chain['name']).toBe('inbound-plaintext');
      expect(chain).not.toHaveProperty('transportSocket');
    }
  });

  it('PERMISSIVE on a pod labelled security.istio.io/tlsMode=istio is mutual TLS: its clients use auto mTLS', () => {
    const labelled = proxy('proxyless', 'default', { app: 'echo', 'security.istio.io/tlsMode': 'istio' });
    expect(onlyChain(inbound(mesh(), labelled))['name']).toBe('inbound-mtls');
    const labelledDisabled = inbound(mesh({ peerAuthentications: [disable] }), labelled);
    expect(onlyChain(labelledDisabled)['name']).toBe('inbound-plaintext');
  });

  it('a port-level mode overrides the workload mode for that port', () => {
    const portLevel = peerAuthentication('ports', 'default', {
      selector: { matchLabels: { app: 'echo' } },
      mtls: { mode: 'STRICT' },
      portLevelMtls: { [SERVER_PORT]: { mode: 'DISABLE' } },
    } as WorkloadPolicySpec);
    expect(onlyChain(inbound(mesh({ peerAuthentications: [portLevel] })))['name']).toBe('inbound-plaintext');
  });
});

describe('proxyless inbound listeners: the connection manager', () => {
  it('routes every request to the server itself with an inline route (non_forwarding_action), router last', () => {
    const hcm = hcmOf(onlyChain(inbound(mesh())));
    expect(hcm['@type']).toBe(HCM);
    expect(hcm).not.toHaveProperty('rds');
    const routeConfig = hcm['routeConfig'] as Json;
    expect(routeConfig['name']).toBe('inbound');
    const [vhost] = routeConfig['virtualHosts'] as Json[];
    expect(vhost).toMatchObject({ domains: ['*'], routes: [{ match: { prefix: '/' }, nonForwardingAction: {} }] });
    expect(httpFilterNames(inbound(mesh()))).toEqual(['envoy.filters.http.router']);
  });

  it('every shape passes Envoy\'s validate rules and survives the protos', () => {
    const policies = [authz('deny', 'DENY', { rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/bad'] } }] }] }), authz('allow', 'ALLOW', { rules: [{ to: [{ operation: { paths: ['/grpc.testing.TestService/*'] } }] }] })];
    for (const snap of [mesh(), mesh({ peerAuthentications: [strict] }), mesh({ peerAuthentications: [strict], authorizationPolicies: policies })]) expectValidOnTheWire(inbound(snap));
  });
});

describe('proxyless inbound listeners: RBAC (grpcgen buildRBAC, gRFC A41)', () => {
  const principal = 'cluster.local/ns/default/sa/client';
  const deny = authz('deny-client', 'DENY', { rules: [{ from: [{ source: { principals: [principal] } }] }] });
  const allow = authz('allow-get', 'ALLOW', { rules: [{ to: [{ operation: { paths: ['/svc/Get'] } }] }] });

  it('puts a DENY filter ("envoy.filters.http.rbac.DENY") before the ALLOW one ("envoy.filters.http.rbac"), both before the router', () => {
    const listener = inbound(mesh({ authorizationPolicies: [allow, deny] }));
    expect(httpFilterNames(listener)).toEqual(['envoy.filters.http.rbac.DENY', 'envoy.filters.http.rbac', 'envoy.filters.http.router']);
    const [denyFilter, allowFilter] = hcmOf(onlyChain(listener))['httpFilters'] as Json[];
    expect((denyFilter?.['typedConfig'] as Json)['@type']).toBe(RBAC);
    expect(((denyFilter?.['typedConfig'] as Json)['rules'] as Json)['action']).toBe('DENY');
    // ALLOW is the proto default: absent on the wire.
    expect(((allowFilter?.['typedConfig'] as Json)['rules'] as Json)['action']).toBeUndefined();
  });

  it('matches the source principal on the peer certificate ("authenticated", which gRPC reads from the handshake), named ns[..]-policy[..]-rule[..]', () => {
    const [denyFilter] = hcmOf(onlyChain(inbound(mesh({ authorizationPolicies: [deny] }))))['httpFilters'] as Json[];
    const policies = ((denyFilter?.['typedConfig'] as Json)['rules'] as Json)['policies'] as Json;
    expect(Object.keys(policies)).toEqual(['ns[default]-policy[deny-client]-rule[0]']);
    expect(JSON.stringify(policies)).toContain(JSON.stringify({ authenticated: { principalName: { exact: `spiffe://${principal}` } } }));
  });

  it('leaves out AUDIT and CUSTOM policies (gRPC has only ALLOW and DENY) and dry-run ones (gRPC ignores shadow rules)', () => {
    const audit = authz('audit', 'AUDIT', { rules: [{}] });
    const custom = authz('custom', 'CUSTOM', { provider: { name: 'ext' }, rules: [{}] });
    const dryRun = authz('dry', 'DENY', { rules: [{}] }, { 'istio.io/dry-run': 'true' });
    expect(httpFilterNames(inbound(mesh({ authorizationPolicies: [audit, custom, dryRun] })))).toEqual(['envoy.filters.http.router']);
  });

  it('keeps an ALLOW policy without rules as an ALLOW that matches nothing (allow-nothing), rather than dropping it', () => {
    const allowNothing = authz('allow-nothing', 'ALLOW', {});
    const [filter] = hcmOf(onlyChain(inbound(mesh({ authorizationPolicies: [allowNothing] }))))['httpFilters'] as Json[];
    expect(filter?.['name']).toBe('envoy.filters.http.rbac');
    const policies = ((filter?.['typedConfig'] as Json)['rules'] as Json)['policies'] as Record<string, { principals: Json[] }>;
    expect(Object.values(policies).flatMap((p) => p.principals)).toEqual([{ notId: { any: true } }]);
  });
});

/**
 * Snapshots with Gateways and Secrets for the gateway and SDS generator
 * tests (the shared mesh builder has neither), and the checks every
 * generated resource must pass: Envoy's validation rules and a lossless
 * protobuf round trip.
 */
import { expect } from 'vitest';
import type { ConfigObject } from '../../../../../src/config/config-object.js';
import { buildGatewayCredentials } from '../../../../../src/model/gateway-credentials.js';
import type { ProxyNode } from '../../../../../src/model/proxy.js';
import { snapshotFromData } from '../../../../../src/model/serialize-snapshot.js';
import {
  DEFAULT_MESH_CONFIG,
  type DestinationRuleSpec,
  type GatewaySpec,
  type IstioConfig,
  type MeshService,
  type MeshSnapshot,
  type VirtualServiceSpec,
  type WorkloadEndpoint,
} from '../../../../../src/model/types.js';
import type { GeneratedResource } from '../../../../../src/xds/gen/generator.js';
import { typeForUrl } from '../../../../../src/xds/proto/envoy-protos.js';
import { envoyValidator } from '../../../../../src/xds/validate/envoy-validator.js';
import { canonical } from '../../helpers/proto-round-trip.js';

export function gateway(name: string, namespace: string, spec: GatewaySpec): IstioConfig<GatewaySpec> {
  return { meta: { kind: 'Gateway', apiVersion: 'networking.istio.io/v1', name, namespace }, spec };
}

/** A Secret object as the config store holds it; `data` values are plain text, encoded here as the apiserver would. */
export function secret(name: string, namespace: string, data: Readonly<Record<string, string>>): ConfigObject {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return {
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: { name, namespace, labels: {}, annotations: {} },
    content: { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'kubernetes.io/tls', data: encoded },
    source: 'test',
  };
}

export interface GatewayMeshParts {
  readonly services?: readonly MeshService[];
  readonly endpoints?: Readonly<Record<string, readonly WorkloadEndpoint[]>>;
  readonly gateways?: readonly IstioConfig<GatewaySpec>[];
  readonly virtualServices?: readonly IstioConfig<VirtualServiceSpec>[];
  readonly destinationRules?: readonly IstioConfig<DestinationRuleSpec>[];
  readonly secrets?: readonly ConfigObject[];
}

export function gatewayMesh(parts: GatewayMeshParts): MeshSnapshot {
  const base = snapshotFromData({
    id: 1,
    mesh: DEFAULT_MESH_CONFIG,
    services: [...(parts.services ?? [])],
    endpoints: { ...parts.endpoints },
    gateways: [...(parts.gateways ?? [])],
    virtualServices: [...(parts.virtualServices ?? [])],
    destinationRules: [...(parts.destinationRules ?? [])],
  });
  return Object.freeze({ ...base, gatewayCredentials: buildGatewayCredentials(parts.secrets ?? []) });
}

/** A gateway pod's proxy, as pilot-agent announces it: "router~<ip>~<pod>.<ns>~<ns>.svc.cluster.local". */
export function router(namespace: string, labels: Record<string, string> = { istio: 'ingressgateway' }, ip = '10.0.0.9'): ProxyNode {
  return {
    id: `router~${ip}~gw-pod.${namespace}~${namespace}.svc.cluster.local`,
    type: 'router',
    ipAddresses: [ip],
    podName: 'gw-pod',
    namespace,
    dnsDomain: `${namespace}.svc.cluster.local`,
    labels,
    userAgent: 'envoy',
    // What parseProxyNode makes of metadata without PROXY_CONFIG: an Envoy without pilot-agent, served its certificate over ADS.
    workloadSds: 'ads',
    metadata: {},
    // As if the stream had authenticated as the gateway's own service account: SDS needs it.
    verifiedIdentity: { namespace, serviceAccount: 'istio-ingressgateway' },
  };
}

/** Fails the test unless every resource passes Envoy's validate.rules and survives encoding unchanged. */
export function expectValidOnTheWire(typeUrl: string, resources: readonly GeneratedResource[]): void {
  const type = typeForUrl(typeUrl);
  for (const r of resources) {
    const bytes = type.encode(type.fromObject(r.resource as Record<string, unknown>)).finish();
    const violations = envoyValidator().validateEncoded(type, bytes);
    expect(violations.map((v) => `${r.name}: ${v.rule} @ ${v.path}`)).toEqual([]);
    // Bytes come back as base64 strings, the form generators write them in.
    const decoded = type.toObject(type.decode(bytes), { enums: String, longs: Number, bytes: String, defaults: false, json: true });
    expect(canonical(decoded)).toEqual(canonical(r.resource));
  }
}

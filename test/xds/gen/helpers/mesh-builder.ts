/**
 * Hand-built MeshSnapshots for generator tests: the config pipeline that
 * normally builds them is developed separately, and these tests must not
 * depend on it.
 */
import {
  DEFAULT_MESH_CONFIG,
  type DestinationRuleSpec,
  type IstioConfig,
  type MeshConfig,
  type MeshService,
  type MeshSnapshot,
  type Protocol,
  type ServicePort,
  type SidecarSpec,
  type VirtualServiceSpec,
  type WorkloadEndpoint,
  type WorkloadPolicySpec,
} from '../../../../src/model/types.js';
import type { ProxyNode, ProxyType } from '../../../../src/model/proxy.js';
import { snapshotFromData } from '../../../../src/model/serialize-snapshot.js';

export const DOMAIN_SUFFIX = 'cluster.local';

export function fqdn(name: string, namespace = 'default'): string {
  return `${name}.${namespace}.svc.${DOMAIN_SUFFIX}`;
}

export function port(portNumber: number, protocol: Protocol = 'HTTP', name?: string): ServicePort {
  return { name: name ?? `${protocol.toLowerCase()}-${portNumber}`, port: portNumber, protocol };
}

/** A Kubernetes Service (EDS resolution, visible everywhere). */
export function kubeService(
  name: string,
  namespace: string,
  ports: readonly ServicePort[],
  overrides: Partial<MeshService> = {},
): MeshService {
  return {
    hostname: fqdn(name, namespace),
    name,
    namespace,
    ports,
    labels: { app: name },
    selector: { app: name },
    origin: 'kubernetes',
    resolution: 'EDS',
    meshExternal: false,
    exportTo: ['*'],
    ...overrides,
  };
}

/** A ServiceEntry host. */
export function serviceEntry(
  host: string,
  namespace: string,
  resolution: MeshService['resolution'],
  ports: readonly ServicePort[],
  overrides: Partial<MeshService> = {},
): MeshService {
  return {
    hostname: host,
    name: host,
    namespace,
    ports,
    labels: {},
    origin: 'serviceentry',
    resolution,
    meshExternal: true,
    exportTo: ['*'],
    ...overrides,
  };
}

/** An endpoint of `servicePort` (matched by its name), ready unless told otherwise. */
export function endpoint(address: string, servicePort: ServicePort, overrides: Partial<WorkloadEndpoint> = {}): WorkloadEndpoint {
  return {
    address,
    port: servicePort.port,
    servicePortName: servicePort.name,
    servicePort: servicePort.port,
    labels: {},
    ready: true,
    ...overrides,
  };
}

export function virtualService(name: string, namespace: string, spec: VirtualServiceSpec): IstioConfig<VirtualServiceSpec> {
  return { meta: { kind: 'VirtualService', apiVersion: 'networking.istio.io/v1', name, namespace }, spec };
}

export function sidecarResource(name: string, namespace: string, spec: SidecarSpec): IstioConfig<SidecarSpec> {
  return { meta: { kind: 'Sidecar', apiVersion: 'networking.istio.io/v1', name, namespace }, spec };
}

export function destinationRule(name: string, namespace: string, spec: DestinationRuleSpec): IstioConfig<DestinationRuleSpec> {
  return { meta: { kind: 'DestinationRule', apiVersion: 'networking.istio.io/v1', name, namespace }, spec };
}

/** A PeerAuthentication; list them oldest first, as the snapshot orders them. */
export function peerAuthentication(name: string, namespace: string, spec: WorkloadPolicySpec): IstioConfig<WorkloadPolicySpec> {
  return { meta: { kind: 'PeerAuthentication', apiVersion: 'security.istio.io/v1', name, namespace }, spec };
}

export interface SnapshotParts {
  readonly services?: readonly MeshService[];
  readonly endpoints?: Readonly<Record<string, readonly WorkloadEndpoint[]>>;
  readonly virtualServices?: readonly IstioConfig<VirtualServiceSpec>[];
  readonly destinationRules?: readonly IstioConfig<DestinationRuleSpec>[];
  readonly sidecars?: readonly IstioConfig<SidecarSpec>[];
  readonly peerAuthentications?: readonly IstioConfig<WorkloadPolicySpec>[];
  readonly mesh?: Partial<MeshConfig>;
}

export function snapshot(parts: SnapshotParts): MeshSnapshot {
  const services = [...(parts.services ?? [])].sort((a, b) => (a.hostname < b.hostname ? -1 : 1));
  return snapshotFromData({
    id: 1,
    mesh: { ...DEFAULT_MESH_CONFIG, ...parts.mesh },
    services,
    endpoints: { ...parts.endpoints },
    virtualServices: parts.virtualServices ?? [],
    destinationRules: parts.destinationRules ?? [],
    sidecars: parts.sidecars ?? [],
    peerAuthentications: parts.peerAuthentications ?? [],
  });
}

export function proxy(type: ProxyType, namespace = 'default', labels: Record<string, string> = {}): ProxyNode {
  return {
    id: `${type}~10.1.0.1~pod-1.${namespace}~${namespace}.svc.${DOMAIN_SUFFIX}`,
    type,
    ipAddresses: ['10.1.0.1'],
    podName: 'pod-1',
    namespace,
    dnsDomain: `${namespace}.svc.${DOMAIN_SUFFIX}`,
    labels,
    userAgent: type === 'proxyless' ? 'grpc-node-js' : 'envoy',
    // What parseProxyNode makes of metadata without PROXY_CONFIG: an Envoy without pilot-agent.
    workloadSds: 'ads',
    metadata: {},
  };
}

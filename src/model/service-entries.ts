/**
 * ServiceEntry → one MeshService per host, and its endpoints: the inline
 * endpoints; for DNS resolution without endpoints, the host itself (Envoy
 * resolves it); none for NONE (passthrough by address). An entry with a
 * workloadSelector instead takes the ready Pods and the WorkloadEntries of
 * its namespace whose labels match (Istio's ServiceEntry controller); a
 * selected Pod's locality is found as for Kubernetes endpoints (its label,
 * else its Node's topology labels: pod-locality.ts).
 */
import type { ConfigObject } from '../config/config-object.js';
import type { ObjectsByKind } from '../config/objects-by-kind.js';
import { contentOf, specOf, type KubePodContent, type ServiceEntryEndpoint, type ServiceEntrySpec } from './kube-objects.js';
import { exportToAnnotation } from './kubernetes-services.js';
import { parseLocality } from './locality.js';
import { NO_NODES, NodeIndex } from './node-index.js';
import { podLocality } from './pod-locality.js';
import { parseProtocolName } from '../config/protocol.js';
import type { MeshService, ServicePort, WorkloadEndpoint } from './types.js';
import { labelsSelect, workloadEntryEndpoints } from './workload-entries.js';

/** The workloads of one namespace a selecting ServiceEntry may take as endpoints. */
export interface NamespaceWorkloads {
  readonly pods: Iterable<ConfigObject>;
  readonly workloadEntries: Iterable<ConfigObject>;
  /** The cluster's Nodes, whose labels give a selected Pod its locality. */
  readonly nodes: NodeIndex;
}

export type WorkloadsOf = (namespace: string) => NamespaceWorkloads;

const NO_WORKLOADS: WorkloadsOf = () => ({ pods: [], workloadEntries: [], nodes: NO_NODES });

/** ServiceEntry.workloadSelector is Istio's WorkloadSelector: `labels`, not `matchLabels`. */
type SelectingSpec = ServiceEntrySpec & { readonly workloadSelector?: { readonly labels?: Readonly<Record<string, string>> } };

export interface ServiceEntryHost {
  readonly service: MeshService;
  readonly endpoints: WorkloadEndpoint[];
}

export function serviceEntryHosts(entry: ConfigObject, workloadsOf: WorkloadsOf = NO_WORKLOADS): ServiceEntryHost[] {
  const spec = specOf<SelectingSpec>(entry);
  const resolution = spec.resolution ?? 'NONE';
  // Istio leaves an empty protocol to sniffing; tsiod does not sniff, so it is TCP.
  const ports: ServicePort[] = spec.ports.map((port) => ({
    name: port.name,
    port: port.number,
    protocol: parseProtocolName(port.protocol ?? '') ?? 'TCP',
    ...(port.targetPort !== undefined ? { targetPort: port.targetPort } : {}),
  }));
  const exportTo = spec.exportTo && spec.exportTo.length > 0 ? [...spec.exportTo] : exportToAnnotation(entry.metadata.annotations) ?? ['*'];
  const address = spec.addresses?.[0];
  return spec.hosts.map((host) => {
    const service: MeshService = {
      hostname: host,
      name: host,
      namespace: entry.metadata.namespace,
      ports,
      ...(address !== undefined ? { clusterIP: address } : {}),
      labels: entry.metadata.labels,
      origin: 'serviceentry',
      resolution,
      meshExternal: spec.location !== 'MESH_INTERNAL',
      exportTo,
    };
    const endpoints = spec.workloadSelector
      ? selectedWorkloadEndpoints(spec.workloadSelector.labels ?? {}, ports, workloadsOf(entry.metadata.namespace))
      : serviceEntryEndpoints(spec, host, ports);
    return { service, endpoints };
  });
}

/** Whether a ServiceEntry's endpoints come from workloads (and so change with Pods and WorkloadEntries). */
export function selectsWorkloads(entry: ConfigObject): boolean {
  return specOf<SelectingSpec>(entry).workloadSelector !== undefined;
}

/**
 * Istio's convertWorkloadInstanceToServiceInstance picks each endpoint's
 * port: the workload's port named like the entry's port (a WorkloadEntry's
 * `ports`, a Pod's named container ports), else the entry port's
 * targetPort, else its number.
 */
function selectedPort(servicePort: ServicePort, named: Readonly<Record<string, number>>): number {
  const byName = named[servicePort.name];
  if (byName !== undefined && byName > 0) return byName;
  return typeof servicePort.targetPort === 'number' && servicePort.targetPort > 0 ? servicePort.targetPort : servicePort.port;
}

function selectedWorkloadEndpoints(selector: Readonly<Record<string, string>>, ports: readonly ServicePort[], workloads: NamespaceWorkloads): WorkloadEndpoint[] {
  const out: WorkloadEndpoint[] = [];
  for (const pod of workloads.pods) {
    if (labelsSelect(selector, pod.metadata.labels)) out.push(...podEndpoints(pod, ports, workloads.nodes));
  }
  for (const entry of workloads.workloadEntries) out.push(...workloadEntryEndpoints(entry, selector, ports, selectedPort));
  return out;
}

interface PodDetails extends KubePodContent {
  readonly metadata?: { readonly deletionTimestamp?: string };
  readonly spec?: KubePodContent['spec'] & {
    readonly containers?: readonly { readonly ports?: readonly { readonly name?: string; readonly containerPort?: number; readonly protocol?: string }[] }[];
  };
  readonly status?: KubePodContent['status'] & {
    readonly phase?: string;
    readonly conditions?: readonly { readonly type?: string; readonly status?: string }[];
  };
}

/** Istio's shouldPodBeInEndpoints and IsPodReady: only ready, running Pods with an IP become workload instances. */
function podServes(pod: PodDetails): boolean {
  const status = pod.status;
  if (status?.phase === 'Succeeded' || status?.phase === 'Failed') return false;
  if (!status?.podIP) return false;
  if (pod.metadata?.deletionTimestamp) return false;
  return (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Named TCP container ports, the first of a name winning (Istio's getPortMap). */
function podPortMap(pod: PodDetails): Record<string, number> {
  const out: Record<string, number> = {};
  for (const container of pod.spec?.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (!port.name || port.containerPort === undefined || (port.protocol ?? 'TCP') !== 'TCP') continue;
      if (!(port.name in out)) out[port.name] = port.containerPort;
    }
  }
  return out;
}

const TLS_MODE_LABEL = 'security.istio.io/tlsMode';

function podEndpoints(object: ConfigObject, ports: readonly ServicePort[], nodes: NodeIndex): WorkloadEndpoint[] {
  const pod = contentOf<PodDetails>(object);
  if (!podServes(pod)) return [];
  const labels = object.metadata.labels;
  const named = podPortMap(pod);
  const serviceAccount = pod.spec?.serviceAccountName;
  const tlsMode = labels[TLS_MODE_LABEL];
  // No EndpointSlice lies between a ServiceEntry and its Pods, so there is no slice zone to fall back on.
  const locality = podLocality({ podLabels: labels, nodeName: pod.spec?.nodeName, sliceZone: undefined }, nodes);
  return ports.map((servicePort) => ({
    address: pod.status?.podIP as string,
    port: selectedPort(servicePort, named),
    servicePortName: servicePort.name,
    servicePort: servicePort.port,
    labels,
    ready: true,
    ...(locality ? { locality } : {}),
    ...(serviceAccount ? { serviceAccount } : {}),
    ...(tlsMode ? { tlsMode } : {}),
    workloadName: `pod/${object.metadata.namespace}/${object.metadata.name}`,
  }));
}

function serviceEntryEndpoints(spec: ServiceEntrySpec, host: string, ports: readonly ServicePort[]): WorkloadEndpoint[] {
  const resolution = spec.resolution ?? 'NONE';
  if (resolution === 'NONE') return [];
  const inline: readonly ServiceEntryEndpoint[] =
    spec.endpoints && spec.endpoints.length > 0
      ? spec.endpoints
      : resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN'
        ? [{ address: host }]
        : [];
  const out: WorkloadEndpoint[] = [];
  for (const endpoint of inline) {
    const locality = parseLocality(endpoint.locality);
    for (const port of ports) {
      // The endpoint's own port for this port name, else the port's targetPort, else the port itself.
      const target = endpoint.ports?.[port.name] ?? (typeof port.targetPort === 'number' ? port.targetPort : port.port);
      out.push({
        address: endpoint.address,
        port: target,
        servicePortName: port.name,
        servicePort: port.port,
        labels: endpoint.labels ?? {},
        ready: true,
        ...(locality ? { locality } : {}),
        ...(endpoint.weight !== undefined ? { weight: endpoint.weight } : {}),
      });
    }
  }
  return out;
}

/**
 * The Pods and WorkloadEntries of a namespace, read from the config objects,
 * with the Node index (pass the one already built for the snapshot; else it
 * is built from the objects' Nodes on first use).
 */
export function workloadsIn(objects: ObjectsByKind, nodes?: NodeIndex): WorkloadsOf {
  let index = nodes;
  return (namespace) => ({
    pods: objects.ofKindInNamespace('Pod', namespace),
    workloadEntries: objects.ofKindInNamespace('WorkloadEntry', namespace),
    nodes: (index ??= new NodeIndex(objects.ofKind('Node'))),
  });
}

/**
 * For an endpoint-only change in `namespace`: the new endpoints of the hosts
 * that ServiceEntries with a workloadSelector there define (those whose
 * current definition is this namespace's ServiceEntry; the first of several
 * wins, as when the snapshot was built).
 */
export function reselectedServiceEntryEndpoints(
  objects: ObjectsByKind,
  namespace: string,
  services: ReadonlyMap<string, MeshService>,
  compare: (a: ConfigObject, b: ConfigObject) => number,
  nodes?: NodeIndex,
): Map<string, WorkloadEndpoint[]> {
  const out = new Map<string, WorkloadEndpoint[]>();
  const entries = [...objects.ofKindInNamespace('ServiceEntry', namespace)].filter(selectsWorkloads).sort(compare);
  const workloads = workloadsIn(objects, nodes);
  for (const entry of entries) {
    for (const { service, endpoints } of serviceEntryHosts(entry, workloads)) {
      const current = services.get(service.hostname);
      if (out.has(service.hostname) || current?.origin !== 'serviceentry' || current.namespace !== namespace) continue;
      out.set(service.hostname, endpoints);
    }
  }
  return out;
}

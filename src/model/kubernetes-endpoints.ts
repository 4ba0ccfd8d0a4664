/**
 * Endpoints of Kubernetes Services, from EndpointSlices, or from the legacy
 * Endpoints object when a Service has no EndpointSlice (as Istio does).
 */
import type { ConfigObject } from '../config/config-object.js';
import { contentOf, type KubeEndpointsContent, type KubeEndpointSliceContent, type KubeObjectReference, type KubePodContent, type KubeSlicePort } from './kube-objects.js';
import type { NodeIndex } from './node-index.js';
import type { PodIndex } from './pod-index.js';
import { podLocality } from './pod-locality.js';
import type { MeshService, ServicePort, WorkloadEndpoint } from './types.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const TLS_MODE_LABEL = 'security.istio.io/tlsMode';

/** EndpointSlices by "namespace/service-name". */
export function groupSlicesByService(slices: Iterable<ConfigObject>): Map<string, ConfigObject[]> {
  const out = new Map<string, ConfigObject[]>();
  for (const slice of slices) {
    const service = slice.metadata.labels[SERVICE_NAME_LABEL];
    if (!service) continue;
    const key = `${slice.metadata.namespace}/${service}`;
    const list = out.get(key) ?? [];
    list.push(slice);
    out.set(key, list);
  }
  return out;
}

export function endpointsFromSlices(service: MeshService, slices: readonly ConfigObject[], pods: PodIndex, nodes: NodeIndex): WorkloadEndpoint[] {
  const out: WorkloadEndpoint[] = [];
  for (const slice of slices) {
    const content = contentOf<KubeEndpointSliceContent>(slice);
    // Istio skips FQDN slices: their addresses are names, not workloads.
    if (content.addressType === 'FQDN') continue;
    const portPairs = matchPorts(service.ports, content.ports ?? []);
    for (const endpoint of content.endpoints ?? []) {
      const ready = endpoint.conditions?.ready !== false;
      for (const address of endpoint.addresses) {
        const pod = pods.find(endpoint.targetRef, slice.metadata.namespace, address);
        for (const [servicePort, slicePort] of portPairs) {
          out.push(workloadEndpoint(address, slicePort.port, servicePort, ready, pod, nodes, endpoint.zone));
        }
      }
    }
  }
  return out;
}

export function endpointsFromLegacy(service: MeshService, endpoints: ConfigObject, pods: PodIndex, nodes: NodeIndex): WorkloadEndpoint[] {
  const out: WorkloadEndpoint[] = [];
  for (const subset of contentOf<KubeEndpointsContent>(endpoints).subsets ?? []) {
    const portPairs = matchPorts(service.ports, subset.ports ?? []);
    const addresses: Array<[{ readonly ip: string; readonly targetRef?: KubeObjectReference }, boolean]> = [
      ...(subset.addresses ?? []).map((a) => [a, true] as [typeof a, boolean]),
      ...(subset.notReadyAddresses ?? []).map((a) => [a, false] as [typeof a, boolean]),
    ];
    for (const [address, ready] of addresses) {
      const pod = pods.find(address.targetRef, endpoints.metadata.namespace, address.ip);
      for (const [servicePort, endpointPort] of portPairs) {
        out.push(workloadEndpoint(address.ip, endpointPort.port, servicePort, ready, pod, nodes, undefined));
      }
    }
  }
  return out;
}

/** Slice ports carry the Service port's name ("" for a single unnamed port); that is how they pair up. */
function matchPorts(servicePorts: readonly ServicePort[], slicePorts: readonly KubeSlicePort[]): Array<[ServicePort, KubeSlicePort]> {
  const pairs: Array<[ServicePort, KubeSlicePort]> = [];
  for (const slicePort of slicePorts) {
    const servicePort = servicePorts.find((p) => p.name === (slicePort.name ?? ''));
    if (servicePort) pairs.push([servicePort, slicePort]);
  }
  return pairs;
}

function workloadEndpoint(
  address: string,
  port: number,
  servicePort: ServicePort,
  ready: boolean,
  pod: ConfigObject | undefined,
  nodes: NodeIndex,
  sliceZone: string | undefined,
): WorkloadEndpoint {
  const labels = pod?.metadata.labels ?? {};
  const podSpec = pod ? contentOf<KubePodContent>(pod).spec : undefined;
  const serviceAccount = podSpec?.serviceAccountName;
  const tlsMode = labels[TLS_MODE_LABEL];
  const locality = podLocality({ podLabels: labels, nodeName: podSpec?.nodeName, sliceZone }, nodes);
  return {
    address,
    port,
    servicePortName: servicePort.name,
    servicePort: servicePort.port,
    labels,
    ready,
    ...(locality ? { locality } : {}),
    ...(serviceAccount ? { serviceAccount } : {}),
    ...(tlsMode ? { tlsMode } : {}),
    ...(pod ? { workloadName: `pod/${pod.metadata.namespace}/${pod.metadata.name}` } : {}),
  };
}

/**
 * LbEndpoint.metadata as Istio writes it (util.AppendLbEndpointMetadata):
 * `envoy.transport_socket_match: {tlsMode: istio}` for workloads with a
 * sidecar (the cluster's transport socket matches pick mTLS on it), and
 * `istio: {workload: "name;namespace;canonical service;revision;cluster"}`,
 * which Istio's telemetry reads when the peer cannot tell it.
 */
import type { MeshService, WorkloadEndpoint } from '../../../model/types.js';
import { stringStruct } from './wrapped-value.js';

export const TRANSPORT_SOCKET_MATCH_KEY = 'envoy.transport_socket_match';
/** Istio's default cluster ID; tsiod serves a single cluster. */
export const DEFAULT_CLUSTER_ID = 'Kubernetes';

/**
 * Istio's workload name is the Pod's controller (a Deployment, via its
 * ReplicaSet, or a StatefulSet). tsiod does not read owner references, so it
 * strips what Kubernetes appends to the controller's name: "-<pod-template-hash>-<suffix>"
 * for ReplicaSet pods and "-<ordinal>" for StatefulSet pods.
 */
export function workloadNameOf(endpoint: WorkloadEndpoint): string {
  const name = endpoint.workloadName?.split('/')[2] ?? '';
  const hash = endpoint.labels['pod-template-hash'];
  if (hash && endpoint.workloadName?.startsWith('pod/')) {
    const marker = `-${hash}-`;
    const at = name.lastIndexOf(marker);
    if (at > 0) return name.slice(0, at);
  }
  if (endpoint.labels['statefulset.kubernetes.io/pod-name'] === name) return name.replace(/-[0-9]+$/, '');
  return name;
}

/** Istio's kubelabels.CanonicalService; the default revision "latest" is left empty, as Istio leaves it. */
function canonicalService(labels: Readonly<Record<string, string>>, workloadName: string): [string, string] {
  const name = labels['service.istio.io/canonical-name'] ?? labels['app.kubernetes.io/name'] ?? labels['app'] ?? workloadName;
  const revision = labels['service.istio.io/canonical-revision'] ?? labels['app.kubernetes.io/version'] ?? labels['version'] ?? 'latest';
  return [name, revision === 'latest' ? '' : revision];
}

export function istioEndpointMetadata(endpoint: WorkloadEndpoint, service: MeshService): Record<string, unknown> {
  const workload = workloadNameOf(endpoint);
  const [canonicalName, canonicalRevision] = canonicalService(endpoint.labels, workload);
  const filterMetadata: Record<string, unknown> = {};
  if (endpoint.tlsMode && endpoint.tlsMode !== 'disabled') filterMetadata[TRANSPORT_SOCKET_MATCH_KEY] = stringStruct({ tlsMode: endpoint.tlsMode });
  filterMetadata['istio'] = stringStruct({ workload: [workload, service.namespace, canonicalName, canonicalRevision, DEFAULT_CLUSTER_ID].join(';') });
  return { filterMetadata };
}

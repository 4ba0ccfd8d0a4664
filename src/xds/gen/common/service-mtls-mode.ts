/**
 * Whether a client's cluster to a service uses Istio mutual TLS on its own
 * (auto mTLS), as Istio decides it (PushContext.BestEffortInferServiceMTLSMode
 * and ClusterBuilder.buildUpstreamTLSSettings): never when the mesh turns
 * auto mTLS off, for services outside the mesh, or where the destination
 * rule sets tls itself; otherwise from the namespace-level (or mesh-wide)
 * PeerAuthentication of the service's namespace, PERMISSIVE when there is
 * none, mTLS unless that says DISABLE. Workload and port-level policies do
 * not count: a client cannot know which workload it will reach.
 *
 * Connections forwarded to their original destination (a headless
 * service, or a PASSTHROUGH load balancer) cannot pick a transport per
 * endpoint, so they use mTLS only when every endpoint of the port has a
 * sidecar (tlsMode "istio"), and none when there are no endpoints.
 */
import { everyEndpointAcceptsMtls, namespaceMutualTlsMode, type MutualTlsMode } from '../../../model/peer-authentication.js';
import type { MeshService, MeshSnapshot, ServicePort, TrafficPolicy } from '../../../model/types.js';

/** The mode Istio infers for a client's cluster; undefined (Istio's MTLSUnknown) for services outside the mesh. */
export function inferServiceMtlsMode(
  snapshot: MeshSnapshot,
  service: MeshService,
  port: ServicePort,
  /** The rule's top-level policy for the default cluster, the subset's own for a subset cluster (as Istio passes them). */
  policy: TrafficPolicy | undefined,
): MutualTlsMode | undefined {
  if (service.meshExternal) return undefined;
  if (service.resolution === 'NONE' || policy?.loadBalancer?.simple === 'PASSTHROUGH') {
    if (!everyEndpointAcceptsMtls(snapshot.endpoints.forPort(service.hostname, port))) return 'DISABLE';
  }
  return namespaceMutualTlsMode(snapshot, service.namespace) ?? 'PERMISSIVE';
}

/** Whether a cluster whose merged traffic policy sets no tls gets Istio mutual TLS automatically. */
export function usesAutoMtls(snapshot: MeshSnapshot, service: MeshService, port: ServicePort, inferencePolicy: TrafficPolicy | undefined): boolean {
  if (!snapshot.mesh.enableAutoMtls) return false;
  const mode = inferServiceMtlsMode(snapshot, service, port, inferencePolicy);
  return mode !== undefined && mode !== 'DISABLE';
}

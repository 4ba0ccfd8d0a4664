/** One ClusterLoadAssignment: the ready endpoints of one service port, narrowed to a subset's labels. */
import type { MeshSnapshot } from '../../../model/types.js';
import type { EdsClusterTarget } from '../common/eds-cluster-targets.js';
import { buildLocalityLbEndpoints, endpointAddressOf } from '../common/locality-lb-endpoints.js';
import { readyEndpointsFor } from '../common/service-endpoints.js';

export function buildLoadAssignment(snapshot: MeshSnapshot, target: EdsClusterTarget): Record<string, unknown> {
  const endpoints = readyEndpointsFor(snapshot, target.service.hostname, target.port, target.subsetLabels);
  // An empty assignment is still sent: Envoy and gRPC wait for one before using the cluster.
  return { clusterName: target.name, endpoints: buildLocalityLbEndpoints(endpoints.map(endpointAddressOf)) };
}

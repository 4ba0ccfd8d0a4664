/**
 * One ClusterLoadAssignment: the ready endpoints of one service port,
 * narrowed to a subset's labels, in Istio's endpoint shape (weight, health
 * status, metadata) and ordered by locality relative to the client when
 * the cluster's traffic policy asks for it.
 *
 * Not-ready endpoints are left out, as Istio does by default
 * (PILOT_SEND_UNHEALTHY_ENDPOINTS is off and no Service here publishes
 * not-ready addresses): what is sent is HEALTHY.
 */
import type { MeshSnapshot } from '../../../model/types.js';
import { trafficPolicyForCluster } from '../common/cluster-traffic-policy.js';
import type { EdsClusterTarget } from '../common/eds-cluster-targets.js';
import { istioEndpointAddress } from '../common/istio-endpoints.js';
import { groupByLocality, serializeLocalityGroups } from '../common/locality-lb-endpoints.js';
import { applyLocalityLoadBalancing, type LocalityClient } from '../common/locality-load-balancing.js';
import { readyEndpointsFor } from '../common/service-endpoints.js';

export interface LoadAssignmentClient {
  readonly destinationRuleView: string;
  readonly locality: LocalityClient;
}

export function buildLoadAssignment(snapshot: MeshSnapshot, target: EdsClusterTarget, client: LoadAssignmentClient): Record<string, unknown> {
  const { service, port } = target;
  const endpoints = readyEndpointsFor(snapshot, service.hostname, port, target.subsetLabels).map((e) => istioEndpointAddress(e, service));
  const policy = trafficPolicyForCluster(snapshot, client.destinationRuleView, service.hostname, port.port, target.subset);
  const groups = applyLocalityLoadBalancing(groupByLocality(endpoints), policy, client.locality, snapshot.mesh.localityLbSetting);
  // An empty assignment is still sent: Envoy and gRPC wait for one before using the cluster.
  return { clusterName: target.name, endpoints: serializeLocalityGroups(groups, 'istio') };
}

/** Which workload endpoints back one service port (and optionally one subset): the snapshot's endpoint index answers. */
import type { MeshSnapshot, ServicePort, WorkloadEndpoint } from '../../../model/types.js';

/**
 * Ready endpoints of `hostname` serving `port`, restricted to `subsetLabels`.
 * Not-ready endpoints are left out, as Istio does by default
 * (PILOT_SEND_UNHEALTHY_ENDPOINTS off): they must not receive traffic.
 */
export function readyEndpointsFor(
  snapshot: MeshSnapshot,
  hostname: string,
  port: ServicePort,
  subsetLabels?: Readonly<Record<string, string>>,
): readonly WorkloadEndpoint[] {
  return snapshot.endpoints.select(hostname, port, subsetLabels);
}

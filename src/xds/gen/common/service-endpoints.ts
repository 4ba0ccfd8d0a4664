/** Which workload endpoints back one service port (and optionally one subset). */
import type { MeshSnapshot, ServicePort, WorkloadEndpoint } from '../../../model/types.js';

/** Endpoints name the port they serve; unnamed ports are matched by number. */
export function endpointServesPort(endpoint: WorkloadEndpoint, port: ServicePort): boolean {
  if (port.name !== '' && endpoint.servicePortName !== '') return endpoint.servicePortName === port.name;
  return endpoint.servicePort === port.port;
}

export function labelsMatch(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

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
): WorkloadEndpoint[] {
  const all = snapshot.endpoints.get(hostname) ?? [];
  return all.filter((ep) => ep.ready && endpointServesPort(ep, port) && labelsMatch(subsetLabels, ep.labels));
}

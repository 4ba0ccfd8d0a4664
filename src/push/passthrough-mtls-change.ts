/**
 * Endpoint changes that clusters must follow for auto mTLS. A cluster that
 * forwards to the original destination (a DestinationRule PASSTHROUGH load
 * balancer) cannot pick a transport per endpoint, so it uses Istio mutual
 * TLS only while every endpoint of its port has a sidecar; when an
 * endpoint change alters that answer, CDS must be rebuilt, not just EDS.
 * Clusters that choose per endpoint (transport socket matches) follow EDS
 * on their own.
 */
import { configHostMatches } from '../model/host-match.js';
import { everyEndpointAcceptsMtls } from '../model/peer-authentication.js';
import type { MeshSnapshot } from '../model/types.js';

/** Istio infers the mode from the rule's top-level policy and each subset's own, never from port-level settings. */
function hasPassthroughRule(snapshot: MeshSnapshot, host: string): boolean {
  return snapshot.destinationRules.some(
    (rule) =>
      configHostMatches(rule.spec.host, host) &&
      [rule.spec.trafficPolicy, ...(rule.spec.subsets ?? []).map((s) => s.trafficPolicy)].some((p) => p?.loadBalancer?.simple === 'PASSTHROUGH'),
  );
}

export function passthroughMtlsChanged(previous: MeshSnapshot, next: MeshSnapshot, host: string): boolean {
  const service = next.services.get(host);
  if (!next.mesh.enableAutoMtls || !service || service.meshExternal || !hasPassthroughRule(next, host)) return false;
  return service.ports.some(
    (port) => everyEndpointAcceptsMtls(previous.endpoints.forPort(host, port)) !== everyEndpointAcceptsMtls(next.endpoints.forPort(host, port)),
  );
}

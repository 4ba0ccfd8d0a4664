/**
 * The SPIFFE identities a service's workloads run as, which Istio's
 * ISTIO_MUTUAL client checks the server certificate against
 * (PushContext.ServiceAccounts): spiffe://<trust domain>/ns/<namespace>/sa/<service account>.
 */
import type { MeshService, MeshSnapshot } from '../../../model/types.js';

export function spiffeIdentity(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** Each identity also under every trust domain alias (Istio's spiffe.ExpandWithTrustDomains), so a server with an alias's certificate passes. */
export function serviceIdentities(snapshot: MeshSnapshot, service: MeshService): string[] {
  const domains = [snapshot.mesh.trustDomain, ...(snapshot.mesh.trustDomainAliases ?? [])];
  const out = new Set<string>();
  for (const endpoint of snapshot.endpoints.get(service.hostname) ?? []) {
    if (!endpoint.serviceAccount) continue;
    for (const domain of domains) out.add(spiffeIdentity(domain, service.namespace, endpoint.serviceAccount));
  }
  return [...out].sort();
}

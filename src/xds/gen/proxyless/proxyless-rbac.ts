/**
 * AuthorizationPolicies as the RBAC HTTP filters of a proxyless gRPC
 * server (gRFC A41), after Istio's grpcgen buildInboundFilterChain: gRPC
 * implements RBAC with the ALLOW and DENY actions only, so AUDIT and
 * CUSTOM policies are left out; a DENY filter comes first and an ALLOW
 * filter second, each under its own name, because gRPC rejects two HTTP
 * filters of one name ("envoy.filters.http.rbac.DENY" and
 * "envoy.filters.http.rbac", Istio's names). Principals are the
 * peer's certificate identities (Envoy's `authenticated`), which gRPC
 * reads from the TLS handshake.
 *
 * Two choices differ from grpcgen, both toward the AuthorizationPolicy
 * documentation: dry-run policies (istio.io/dry-run) are left out (gRPC
 * ignores shadow rules, and grpcgen would enforce them), and an ALLOW
 * policy without rules, or whose rules all had to be skipped, still
 * makes an ALLOW filter that matches nothing (so it denies everything not
 * otherwise allowed, as "allow-nothing" does for Envoy), where grpcgen
 * would drop the filter and let everything in.
 */
import type { IstioConfig, MeshSnapshot, WorkloadPolicySpec } from '../../../model/types.js';
import { localFilters, type AuthzContext } from '../authz/build-rbac.js';
import { HTTP_RBAC_FILTER } from '../authz/filter-names.js';
import type { EnvoyMessage } from '../authz/matchers.js';
import { readAuthorizationPolicy, type AuthorizationPolicy } from '../authz/policy-spec.js';
import { TrustDomainBundle } from '../authz/trust-domain-bundle.js';

/** Istio's RBACHTTPFilterNameDeny; the ALLOW filter keeps the plain name. */
export const DENY_RBAC_FILTER = `${HTTP_RBAC_FILTER}.DENY`;

function policiesById(snapshot: MeshSnapshot, ids: readonly string[]): IstioConfig<WorkloadPolicySpec>[] {
  const byId = new Map(snapshot.authorizationPolicies.map((p) => [`${p.meta.namespace}/${p.meta.name}`, p]));
  return ids.flatMap((id) => {
    const found = byId.get(id);
    return found ? [found] : [];
  });
}

/** The RBAC filters for the AuthorizationPolicies named by "<namespace>/<name>", DENY first. */
export function proxylessRbacFilters(snapshot: MeshSnapshot, policyIds: readonly string[]): EnvoyMessage[] {
  if (policyIds.length === 0) return [];
  const policies = policiesById(snapshot, policyIds)
    .map(readAuthorizationPolicy)
    .filter((p) => !p.dryRun);
  const context: AuthzContext = { trustDomains: new TrustDomainBundle(snapshot.mesh.trustDomain, snapshot.mesh.trustDomainAliases), extAuthz: new Map() };
  const of = (action: AuthorizationPolicy['action']): AuthorizationPolicy[] => policies.filter((p) => p.action === action);
  const deny = localFilters(of('DENY'), 'http', context).map((f) => ({ ...f, name: DENY_RBAC_FILTER }));
  const allow = localFilters(of('ALLOW'), 'http', context);
  return [...deny, ...allow];
}

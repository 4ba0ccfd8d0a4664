/**
 * The authentication and authorization filters of one proxy's inbound
 * HTTP connection managers and TCP chains (sidecar inbound, and every
 * gateway chain but AUTO_PASSTHROUGH), in Istio's order
 * (buildHTTPConnectionManager, buildCompleteNetworkFilters): CUSTOM
 * (RBAC + ext_authz), jwt_authn, then AUDIT, DENY and ALLOW RBAC. They go
 * in front of the chain's own HTTP filters (fault, CORS, router) or its
 * tcp_proxy.
 *
 * The generator key carries the ids of the policies that apply (in Istio's
 * order), never the proxy: proxies under the same policies share output.
 */
import type { ProxyNode } from '../../../model/proxy.js';
import { authorizationPoliciesFor, requestAuthenticationsFor } from '../../../model/security-policy-selection.js';
import type { IstioConfig, MeshSnapshot, WorkloadPolicySpec } from '../../../model/types.js';
import { customFilters, localFilters, type AuthzContext } from './build-rbac.js';
import { resolveExtAuthzProviders } from './ext-authz.js';
import { jwtAuthnFilter } from './jwt-authn.js';
import type { EnvoyMessage } from './matchers.js';
import { readAuthorizationPolicy, readJwtRules } from './policy-spec.js';
import { TrustDomainBundle } from './trust-domain-bundle.js';

export interface SecurityFilters {
  /** HTTP filters that go before the connection manager's own. */
  readonly http: readonly EnvoyMessage[];
  /** Network filters that go before a TCP chain's tcp_proxy. */
  readonly tcp: readonly EnvoyMessage[];
}

export const NO_SECURITY_FILTERS: SecurityFilters = Object.freeze({ http: Object.freeze([]), tcp: Object.freeze([]) });

const AUTHZ_PREFIX = 'AuthorizationPolicy/';
const AUTHN_PREFIX = 'RequestAuthentication/';

function id(prefix: string, config: IstioConfig<WorkloadPolicySpec>): string {
  return `${prefix}${config.meta.namespace}/${config.meta.name}`;
}

/**
 * The key part for a proxy: "AuthorizationPolicy/<ns>/<name>" and
 * "RequestAuthentication/<ns>/<name>" of every policy that applies to it.
 * Content changes need no key change: every full push regenerates.
 */
export function securityKeyOf(proxy: ProxyNode, snapshot: MeshSnapshot): string[] {
  const workload = { namespace: proxy.namespace, labels: proxy.labels };
  const root = snapshot.mesh.rootNamespace;
  return [
    ...authorizationPoliciesFor(snapshot.authorizationPolicies, root, workload).map((p) => id(AUTHZ_PREFIX, p)),
    ...requestAuthenticationsFor(snapshot.requestAuthentications, root, workload).map((p) => id(AUTHN_PREFIX, p)),
  ];
}

type PolicyList = readonly IstioConfig<WorkloadPolicySpec>[];

/** Per kind, each snapshot list indexed by id once (lists are immutable and reused while unchanged). */
const indexed = new Map<string, WeakMap<PolicyList, ReadonlyMap<string, IstioConfig<WorkloadPolicySpec>>>>([
  [AUTHZ_PREFIX, new WeakMap()],
  [AUTHN_PREFIX, new WeakMap()],
]);

function byId(prefix: string, list: PolicyList): ReadonlyMap<string, IstioConfig<WorkloadPolicySpec>> {
  const cache = indexed.get(prefix) as WeakMap<PolicyList, ReadonlyMap<string, IstioConfig<WorkloadPolicySpec>>>;
  let found = cache.get(list);
  if (!found) {
    found = new Map(list.map((config) => [id(prefix, config), config]));
    cache.set(list, found);
  }
  return found;
}

function lookup(ids: readonly string[], prefix: string, list: PolicyList): IstioConfig<WorkloadPolicySpec>[] {
  const configs = byId(prefix, list);
  return ids.flatMap((i) => {
    const config = i.startsWith(prefix) ? configs.get(i) : undefined;
    return config ? [config] : [];
  });
}

/**
 * The filters for a key from securityKeyOf. `gateway` is true for
 * gateway proxies, whose jwt_authn clears the route cache.
 */
export function securityFilters(snapshot: MeshSnapshot, key: readonly string[], gateway: boolean): SecurityFilters {
  if (key.length === 0) return NO_SECURITY_FILTERS;
  const policies = lookup(key, AUTHZ_PREFIX, snapshot.authorizationPolicies).map(readAuthorizationPolicy);
  const jwtRules = lookup(key, AUTHN_PREFIX, snapshot.requestAuthentications).flatMap(readJwtRules);
  const hasCustom = policies.some((p) => p.action === 'CUSTOM');
  const context: AuthzContext = {
    trustDomains: new TrustDomainBundle(snapshot.mesh.trustDomain, snapshot.mesh.trustDomainAliases),
    extAuthz: hasCustom ? resolveExtAuthzProviders(snapshot.mesh.extensionProviders ?? [], snapshot.services) : new Map(),
  };
  const jwt = jwtAuthnFilter(jwtRules, gateway, snapshot.services);
  return {
    http: [...customFilters(policies, 'http', context), ...(jwt ? [jwt] : []), ...localFilters(policies, 'http', context)],
    tcp: [...customFilters(policies, 'tcp', context), ...localFilters(policies, 'tcp', context)],
  };
}

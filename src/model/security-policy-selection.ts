/**
 * Which AuthorizationPolicies and RequestAuthentications apply to a
 * workload, as Istio selects them (ListAuthorizationPolicies and
 * GetJwtPoliciesForWorkload, each policy judged by
 * WorkloadPolicyMatcher.ShouldAttachPolicy for a sidecar or gateway):
 *
 * - Policies are looked up in the root namespace and the workload's own.
 *   One without a selector applies to every workload of its namespace (of
 *   the whole mesh, from the root namespace); one with a selector applies
 *   to the workloads whose labels carry it, and from the root namespace
 *   that means matching workloads in every namespace.
 * - A policy with targetRef(s) applies only to a Kubernetes Gateway's pods
 *   (label gateway.networking.k8s.io/gateway-name) in the policy's
 *   namespace, and only when it names that Gateway; such pods also take
 *   selector policies (ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY, on by
 *   default).
 *
 * Order: AuthorizationPolicies from the root namespace first, then the
 * workload's namespace; RequestAuthentications the other way round (each
 * oldest first, as the snapshot lists them). The order names the RBAC
 * policies and the JWT providers, so it is part of the output.
 *
 * The existing `policiesFor` index answers PeerAuthentication's narrower
 * rules (a root-namespace selector does not apply elsewhere) and is left
 * as it is.
 */
import type { IstioConfig, WorkloadPolicySpec } from './types.js';

type Labels = Readonly<Record<string, string>>;
type Policies = readonly IstioConfig<WorkloadPolicySpec>[];

/** The label Istio's Kubernetes Gateway deployments carry (label.IoK8sNetworkingGatewayGatewayName). */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

export interface PolicyWorkload {
  readonly namespace: string;
  readonly labels: Labels;
}

/** Each list grouped by namespace once: snapshot lists are immutable and reused by reference while unchanged. */
const grouped = new WeakMap<Policies, ReadonlyMap<string, Policies>>();

function byNamespace(policies: Policies): ReadonlyMap<string, Policies> {
  let found = grouped.get(policies);
  if (!found) {
    const out = new Map<string, IstioConfig<WorkloadPolicySpec>[]>();
    for (const policy of policies) {
      const list = out.get(policy.meta.namespace);
      if (list) list.push(policy);
      else out.set(policy.meta.namespace, [policy]);
    }
    found = out;
    grouped.set(policies, found);
  }
  return found;
}

function targetRefsOf(spec: WorkloadPolicySpec): readonly Readonly<Record<string, unknown>>[] {
  if (spec.targetRefs && spec.targetRefs.length > 0) return spec.targetRefs;
  return spec.targetRef ? [spec.targetRef] : [];
}

function selects(spec: WorkloadPolicySpec, labels: Labels): boolean {
  const wanted = spec.selector?.matchLabels ?? {};
  return Object.entries(wanted).every(([key, value]) => labels[key] === value);
}

/** Istio's ShouldAttachPolicy for a proxy that is not a waypoint. */
export function attachesTo(policy: IstioConfig<WorkloadPolicySpec>, workload: PolicyWorkload): boolean {
  const refs = targetRefsOf(policy.spec);
  const gatewayName = workload.labels[GATEWAY_NAME_LABEL];
  if (gatewayName === undefined) return refs.length === 0 && selects(policy.spec, workload.labels);
  if (refs.length === 0) return selects(policy.spec, workload.labels);
  if (policy.meta.namespace !== workload.namespace) return false;
  return refs.some((ref) => {
    const namespace = typeof ref['namespace'] === 'string' ? ref['namespace'] : '';
    return (
      (namespace === '' || namespace === workload.namespace) &&
      ref['group'] === GATEWAY_API_GROUP &&
      ref['kind'] === 'Gateway' &&
      ref['name'] === gatewayName
    );
  });
}

function select(policies: Policies, namespaces: readonly string[], workload: PolicyWorkload): IstioConfig<WorkloadPolicySpec>[] {
  const groups = byNamespace(policies);
  const out: IstioConfig<WorkloadPolicySpec>[] = [];
  for (const namespace of new Set(namespaces)) {
    for (const policy of groups.get(namespace) ?? []) if (attachesTo(policy, workload)) out.push(policy);
  }
  return out;
}

/** The AuthorizationPolicies of `policies` (the snapshot's list) that apply to `workload`. */
export function authorizationPoliciesFor(policies: Policies, rootNamespace: string, workload: PolicyWorkload): IstioConfig<WorkloadPolicySpec>[] {
  return select(policies, [rootNamespace, workload.namespace], workload);
}

/** The RequestAuthentications of `policies` (the snapshot's list) that apply to `workload`. */
export function requestAuthenticationsFor(policies: Policies, rootNamespace: string, workload: PolicyWorkload): IstioConfig<WorkloadPolicySpec>[] {
  return select(policies, [workload.namespace, rootNamespace], workload);
}

/**
 * Configs that apply to workloads by namespace and label selector: Sidecars
 * (Istio's sidecarIndex), Gateways (matched to gateway pods by selector in
 * any namespace) and the three security policies (Istio's
 * ListAuthorizationPolicies / GetPeerAuthenticationsForWorkload order).
 */
import { labelsMatch } from './endpoint-index.js';
import type { GatewaySpec, IstioConfig, SidecarSpec, WorkloadPolicySpec } from './types.js';

type Labels = Readonly<Record<string, string>>;

function byNamespace<S>(configs: readonly IstioConfig<S>[]): Map<string, IstioConfig<S>[]> {
  const out = new Map<string, IstioConfig<S>[]>();
  for (const config of configs) {
    const list = out.get(config.meta.namespace);
    if (list) list.push(config);
    else out.set(config.meta.namespace, [config]);
  }
  return out;
}

export class SidecarIndex {
  private readonly byNamespace: Map<string, IstioConfig<SidecarSpec>[]>;

  /** `sidecars` in snapshot order (oldest first). */
  constructor(sidecars: readonly IstioConfig<SidecarSpec>[], private readonly rootNamespace: string) {
    this.byNamespace = byNamespace(sidecars);
  }

  forWorkload(namespace: string, labels: Labels): IstioConfig<SidecarSpec> | undefined {
    const local = this.byNamespace.get(namespace) ?? [];
    const selecting = local.find((s) => s.spec.workloadSelector && labelsMatch(s.spec.workloadSelector.matchLabels ?? {}, labels));
    if (selecting) return selecting;
    const namespaceDefault = local.find((s) => !s.spec.workloadSelector);
    if (namespaceDefault) return namespaceDefault;
    return (this.byNamespace.get(this.rootNamespace) ?? []).find((s) => !s.spec.workloadSelector);
  }
}

export class GatewayIndex {
  constructor(private readonly gateways: readonly IstioConfig<GatewaySpec>[]) {}

  forWorkload(labels: Labels): readonly IstioConfig<GatewaySpec>[] {
    // An empty selector selects every gateway pod, as in Istio.
    return this.gateways.filter((g) => labelsMatch(g.spec.selector ?? {}, labels));
  }
}

/**
 * Policies with targetRef(s) attach to Kubernetes Gateways and waypoints,
 * not to workloads by label; they are left to the generators that serve
 * those proxies.
 */
export class WorkloadPolicyIndex {
  private readonly byNamespace: Map<string, IstioConfig<WorkloadPolicySpec>[]>;

  constructor(policies: readonly IstioConfig<WorkloadPolicySpec>[], private readonly rootNamespace: string) {
    this.byNamespace = byNamespace(policies.filter((p) => !p.spec.targetRef && !(p.spec.targetRefs && p.spec.targetRefs.length > 0)));
  }

  forWorkload(namespace: string, labels: Labels): readonly IstioConfig<WorkloadPolicySpec>[] {
    const meshWide = namespace === this.rootNamespace ? [] : (this.byNamespace.get(this.rootNamespace) ?? []).filter((p) => !hasSelector(p));
    const local = this.byNamespace.get(namespace) ?? [];
    const namespaceWide = local.filter((p) => !hasSelector(p));
    const selecting = local.filter((p) => hasSelector(p) && labelsMatch(p.spec.selector?.matchLabels, labels));
    return [...meshWide, ...namespaceWide, ...selecting];
  }
}

/** `selector: {}` selects every workload of the namespace, so it is a namespace-wide policy. */
function hasSelector(policy: IstioConfig<WorkloadPolicySpec>): boolean {
  return Object.keys(policy.spec.selector?.matchLabels ?? {}).length > 0;
}

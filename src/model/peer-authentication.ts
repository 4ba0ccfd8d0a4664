/**
 * The mutual TLS mode PeerAuthentication gives a workload's ports (Istio's
 * ComposePeerAuthentication) and the namespace-level mode clients infer for
 * a service (Istio's AuthenticationPolicies.GetNamespaceMutualTLSMode).
 *
 * One policy per scope applies, the oldest (the first in snapshot order):
 * the mesh-wide one (root namespace, no selector), the namespace's (no
 * selector), and the workload's (a selector in the workload's own
 * namespace; a selector in the root namespace selects nothing). A narrower
 * scope overrides a wider one unless its mode is UNSET, which inherits;
 * with no policy at all the mode is PERMISSIVE. Only the workload policy's
 * portLevelMtls counts, keyed by the port the workload listens on.
 */
import type { IstioConfig, MeshSnapshot, WorkloadEndpoint, WorkloadPolicySpec } from './types.js';

export type MutualTlsMode = 'DISABLE' | 'PERMISSIVE' | 'STRICT';

/** A workload's composed policy: a mode, and overrides for some of its ports. */
export interface EffectivePeerAuthentication {
  readonly mode: MutualTlsMode;
  /** Workload (target) port → mode, from the workload policy's portLevelMtls (UNSET resolved to `mode`). */
  readonly portLevel: ReadonlyMap<number, MutualTlsMode>;
}

/** The fields of a PeerAuthentication spec this module reads (validated upstream). */
interface PeerAuthenticationFields {
  readonly mtls?: { readonly mode?: string } | null;
  readonly portLevelMtls?: Readonly<Record<string, { readonly mode?: string } | null>> | null;
}

export const PERMISSIVE_BY_DEFAULT: EffectivePeerAuthentication = Object.freeze({ mode: 'PERMISSIVE', portLevel: new Map() });

function fields(policy: IstioConfig<WorkloadPolicySpec>): PeerAuthenticationFields {
  return policy.spec as PeerAuthenticationFields;
}

/** The mode a `{mode}` block sets, or undefined for UNSET (absent block, absent mode, or "UNSET"). */
function setMode(mtls: { readonly mode?: string } | null | undefined): MutualTlsMode | undefined {
  const mode = mtls?.mode;
  return mode === 'DISABLE' || mode === 'PERMISSIVE' || mode === 'STRICT' ? mode : undefined;
}

/** `selector: {}` selects the whole namespace, as no selector does. */
function hasSelector(policy: IstioConfig<WorkloadPolicySpec>): boolean {
  return Object.keys(policy.spec.selector?.matchLabels ?? {}).length > 0;
}

/**
 * Istio's ComposePeerAuthentication over the policies that apply to one
 * workload, oldest first (the snapshot's policiesFor order).
 */
export function composePeerAuthentication(rootNamespace: string, policies: readonly IstioConfig<WorkloadPolicySpec>[]): EffectivePeerAuthentication {
  let mesh: IstioConfig<WorkloadPolicySpec> | undefined;
  let namespace: IstioConfig<WorkloadPolicySpec> | undefined;
  let workload: IstioConfig<WorkloadPolicySpec> | undefined;
  for (const policy of policies) {
    if (!hasSelector(policy)) {
      if (policy.meta.namespace === rootNamespace) mesh ??= policy;
      else namespace ??= policy;
    } else if (policy.meta.namespace !== rootNamespace) {
      workload ??= policy;
    }
  }
  let mode: MutualTlsMode = 'PERMISSIVE';
  for (const scope of [mesh, namespace, workload]) mode = (scope && setMode(fields(scope).mtls)) ?? mode;
  const portLevel = new Map<number, MutualTlsMode>();
  for (const [port, mtls] of Object.entries((workload && fields(workload).portLevelMtls) ?? {})) {
    const number = Number(port);
    if (Number.isInteger(number) && number > 0) portLevel.set(number, setMode(mtls) ?? mode);
  }
  return mode === 'PERMISSIVE' && portLevel.size === 0 ? PERMISSIVE_BY_DEFAULT : { mode, portLevel };
}

/** Istio's GetMutualTLSModeForPort: the port's own setting, else the workload's. */
export function mutualTlsModeForPort(effective: EffectivePeerAuthentication, port: number): MutualTlsMode {
  return effective.portLevel.get(port) ?? effective.mode;
}

/** The composed policy of a workload in `namespace` with `labels`. */
export function peerAuthenticationFor(snapshot: MeshSnapshot, namespace: string, labels: Readonly<Record<string, string>>): EffectivePeerAuthentication {
  return composePeerAuthentication(snapshot.mesh.rootNamespace, snapshot.indexes.policiesFor('PeerAuthentication', namespace, labels));
}

/** Namespace modes per policy list and root namespace; lists are reused by reference while unchanged. */
const namespaceModesCache = new WeakMap<readonly IstioConfig<WorkloadPolicySpec>[], { root: string; modes: NamespaceModes }>();

interface NamespaceModes {
  /** The mesh-wide policy's mode (UNSET there is PERMISSIVE); undefined without one. */
  readonly global: MutualTlsMode | undefined;
  readonly byNamespace: ReadonlyMap<string, MutualTlsMode>;
}

/** Istio's addPeerAuthentication: the oldest namespace-level policy of each namespace, UNSET inheriting the mesh's. */
function namespaceModes(policies: readonly IstioConfig<WorkloadPolicySpec>[], root: string): NamespaceModes {
  const seen = new Map<string, MutualTlsMode | undefined>();
  for (const policy of policies) {
    if (hasSelector(policy) || seen.has(policy.meta.namespace)) continue;
    seen.set(policy.meta.namespace, setMode(fields(policy).mtls));
  }
  const global = seen.has(root) ? (seen.get(root) ?? 'PERMISSIVE') : undefined;
  const byNamespace = new Map<string, MutualTlsMode>();
  for (const [namespace, mode] of seen) if (namespace !== root) byNamespace.set(namespace, mode ?? global ?? 'PERMISSIVE');
  return { global, byNamespace };
}

/**
 * Istio's GetNamespaceMutualTLSMode: the mode of the namespace-level policy
 * of `namespace`, else the mesh-wide one; undefined when neither exists.
 * Workload and port-level policies are not considered: a client cannot
 * tell which workload of a service it will reach.
 */
export function namespaceMutualTlsMode(snapshot: MeshSnapshot, namespace: string): MutualTlsMode | undefined {
  const policies = snapshot.peerAuthentications;
  const root = snapshot.mesh.rootNamespace;
  let cached = namespaceModesCache.get(policies);
  if (!cached || cached.root !== root) {
    cached = { root, modes: namespaceModes(policies.filter((p) => !p.spec.targetRef && !(p.spec.targetRefs && p.spec.targetRefs.length > 0)), root) };
    namespaceModesCache.set(policies, cached);
  }
  return cached.modes.byNamespace.get(namespace) ?? cached.modes.global;
}

/** Istio's DisabledTLSModeLabel; an endpoint without the tlsMode label counts as disabled too. */
const DISABLED_TLS_MODE = 'disabled';

/**
 * Whether a connection to these endpoints may use Istio mutual TLS without
 * choosing per endpoint (a cluster forwarding to the original destination):
 * only when there are endpoints and none lacks a sidecar (Istio's
 * BestEffortInferServiceMTLSMode for passthrough services).
 */
export function everyEndpointAcceptsMtls(endpoints: readonly WorkloadEndpoint[]): boolean {
  return endpoints.length > 0 && endpoints.every((e) => (e.tlsMode ?? DISABLED_TLS_MODE) !== DISABLED_TLS_MODE);
}

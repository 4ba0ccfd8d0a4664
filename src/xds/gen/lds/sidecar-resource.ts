/**
 * What a sidecar's egress scope label stands for: the applying Sidecar
 * resource (none for ""), its egress listeners with their services, and
 * the outbound traffic policy in force. Generators key on the label, so
 * everything here is a function of the snapshot and the label alone.
 */
import {
  outboundPolicyOf,
  sidecarEgressListeners,
  type EgressListenerScope,
  type OutboundPolicy,
} from '../../../model/sidecar-scope.js';
import type { IstioConfig, MeshSnapshot, SidecarSpec } from '../../../model/types.js';
import { BLACKHOLE_CLUSTER, outboundClusterName, PASSTHROUGH_CLUSTER } from '../common/cluster-names.js';
import { scopedServices } from '../common/mesh-services.js';

export function sidecarOfScope(snapshot: MeshSnapshot, scope: string): IstioConfig<SidecarSpec> | undefined {
  if (scope === '') return undefined;
  const slash = scope.indexOf('/');
  const namespace = scope.slice(0, slash);
  const name = scope.slice(slash + 1);
  return snapshot.sidecars.find((s) => s.meta.namespace === namespace && s.meta.name === name);
}

export function egressListenersOfScope(snapshot: MeshSnapshot, scope: string): readonly EgressListenerScope[] {
  return sidecarEgressListeners(sidecarOfScope(snapshot, scope), scopedServices(snapshot, scope));
}

export function outboundPolicyOfScope(snapshot: MeshSnapshot, scope: string): OutboundPolicy {
  return outboundPolicyOf(sidecarOfScope(snapshot, scope), snapshot.mesh.outboundTrafficPolicy);
}

/**
 * Where connections to unknown destinations go: their original address
 * under ALLOW_ANY, the egress proxy's cluster when one is set, nowhere
 * under REGISTRY_ONLY.
 */
export function catchAllCluster(policy: OutboundPolicy): string {
  if (policy.mode === 'REGISTRY_ONLY') return BLACKHOLE_CLUSTER;
  const proxy = policy.egressProxy;
  // Istio's GetDestinationCluster without a service: the egress proxy's own port, or 0.
  return proxy ? outboundClusterName(proxy.host, proxy.port?.number ?? 0, proxy.subset ?? '') : PASSTHROUGH_CLUSTER;
}

/**
 * The DestinationRule that applies to a service for a client in
 * `proxyNamespace`, with Istio's namespace precedence and merging (see
 * SnapshotIndexes.destinationRuleFor).
 */
import type { DestinationRuleSpec, IstioConfig, MeshSnapshot } from '../../../model/types.js';

export function findDestinationRule(snapshot: MeshSnapshot, proxyNamespace: string, hostname: string): IstioConfig<DestinationRuleSpec> | undefined {
  return snapshot.indexes.destinationRuleFor(proxyNamespace, hostname, snapshot.services.get(hostname)?.namespace)?.rule;
}

/**
 * Clusters for proxyless gRPC: EDS only. gRPC NACKs a whole CDS response
 * over one cluster type it does not implement (STATIC, STRICT_DNS,
 * ORIGINAL_DST), so services that need those are not offered to it.
 */
import type { MeshService, MeshSnapshot } from '../../../model/types.js';
import { edsClusterTargetsForService } from '../common/eds-cluster-targets.js';
import { connectTimeout, edsClusterConfig } from './cluster-defaults.js';

export function buildProxylessClusters(snapshot: MeshSnapshot, proxyNamespace: string, service: MeshService): Record<string, unknown>[] {
  return edsClusterTargetsForService(snapshot, proxyNamespace, service).map((target) => ({
    name: target.name,
    type: 'EDS',
    connectTimeout: connectTimeout(),
    lbPolicy: 'ROUND_ROBIN',
    edsClusterConfig: edsClusterConfig(target.name),
  }));
}

/**
 * EDS: one ClusterLoadAssignment per EDS cluster. Endpoints are the same for
 * every proxy (no locality or network filtering yet), so the key is empty.
 */
import type { MeshSnapshot } from '../../../model/types.js';
import { EndpointType } from '../../proto/type-urls.js';
import type { GeneratedResource, ResourceGenerator } from '../generator.js';
import { parseClusterName } from '../common/cluster-names.js';
import { edsClusterTargets, edsClusterTargetsForService, type EdsClusterTarget } from '../common/eds-cluster-targets.js';
import { buildLoadAssignment } from './build-load-assignment.js';

export type EdsKey = Record<string, never>;

function requestedTargets(snapshot: MeshSnapshot, names: ReadonlySet<string>): EdsClusterTarget[] {
  const out: EdsClusterTarget[] = [];
  for (const name of [...names].sort()) {
    const parts = parseClusterName(name);
    const service = parts && parts.direction === 'outbound' ? snapshot.services.get(parts.hostname) : undefined;
    if (!service) continue;
    const target = edsClusterTargetsForService(snapshot, service).find((t) => t.name === name);
    if (target) out.push(target);
  }
  return out;
}

export const edsGenerator: ResourceGenerator<EdsKey> = {
  typeUrl: EndpointType,
  keyOf: () => ({}),
  generate(snapshot: MeshSnapshot, _key: EdsKey, names?: ReadonlySet<string>): GeneratedResource[] {
    const targets = names ? requestedTargets(snapshot, names) : edsClusterTargets(snapshot);
    return targets.map((target) => ({ name: target.name, resource: buildLoadAssignment(snapshot, target) }));
  },
  affectedByEndpoints(snapshot: MeshSnapshot, _key: EdsKey, hosts: ReadonlySet<string>): ReadonlySet<string> {
    const out = new Set<string>();
    for (const host of hosts) {
      const service = snapshot.services.get(host);
      if (!service) continue;
      for (const target of edsClusterTargetsForService(snapshot, service)) out.add(target.name);
    }
    return out;
  },
};

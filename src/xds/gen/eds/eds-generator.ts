/**
 * EDS: one ClusterLoadAssignment per EDS cluster. Which subsets exist, and
 * their labels, come from the DestinationRule the client's namespace sees,
 * so the key is that view (shared by namespaces that see only public rules),
 * plus the client's locality once some rule orders endpoints by it (no
 * network filtering yet).
 */
import type { MeshSnapshot } from '../../../model/types.js';
import { EndpointType } from '../../proto/type-urls.js';
import type { GeneratedResource, ResourceGenerator } from '../generator.js';
import { parseClusterName } from '../common/cluster-names.js';
import { edsClusterTargets, edsClusterTargetsForService, type EdsClusterTarget } from '../common/eds-cluster-targets.js';
import { localityClientKey, localityClientOf } from '../common/locality-client-key.js';
import { buildLoadAssignment } from './build-load-assignment.js';

export type EdsKey = {
  readonly destinationRuleView: string;
  /** localityClientKey: "" until some DestinationRule makes locality matter. */
  readonly localityClient: string;
};

function requestedTargets(snapshot: MeshSnapshot, namespace: string, names: ReadonlySet<string>): EdsClusterTarget[] {
  const out: EdsClusterTarget[] = [];
  for (const name of [...names].sort()) {
    const parts = parseClusterName(name);
    const service = parts && parts.direction === 'outbound' ? snapshot.services.get(parts.hostname) : undefined;
    if (!service) continue;
    const target = edsClusterTargetsForService(snapshot, namespace, service).find((t) => t.name === name);
    if (target) out.push(target);
  }
  return out;
}

export const edsGenerator: ResourceGenerator<EdsKey> = {
  typeUrl: EndpointType,
  keyOf: (proxy, snapshot) => ({
    destinationRuleView: snapshot.indexes.destinationRuleView(proxy.namespace, proxy.labels),
    localityClient: localityClientKey(proxy, snapshot),
  }),
  generate(snapshot: MeshSnapshot, key: EdsKey, names?: ReadonlySet<string>): GeneratedResource[] {
    const targets = names ? requestedTargets(snapshot, key.destinationRuleView, names) : edsClusterTargets(snapshot, key.destinationRuleView);
    const client = { destinationRuleView: key.destinationRuleView, locality: localityClientOf(key.localityClient) };
    return targets.map((target) => ({ name: target.name, resource: buildLoadAssignment(snapshot, target, client) }));
  },
  affectedByEndpoints(snapshot: MeshSnapshot, key: EdsKey, hosts: ReadonlySet<string>): ReadonlySet<string> {
    const out = new Set<string>();
    for (const host of hosts) {
      const service = snapshot.services.get(host);
      if (!service) continue;
      for (const target of edsClusterTargetsForService(snapshot, key.destinationRuleView, service)) out.add(target.name);
    }
    return out;
  },
};

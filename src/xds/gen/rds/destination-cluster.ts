/**
 * The cluster a VirtualService destination names. Without an explicit port,
 * Istio uses the destination service's only port, else the port the client
 * connected to.
 */
import type { Destination, MeshSnapshot } from '../../../model/types.js';
import { outboundClusterName } from '../common/cluster-names.js';

export function destinationCluster(snapshot: MeshSnapshot, destination: Destination, listenerPort: number): string {
  const service = snapshot.services.get(destination.host);
  const onlyPort = service && service.ports.length === 1 ? service.ports[0]?.port : undefined;
  const port = destination.port?.number ?? onlyPort ?? listenerPort;
  return outboundClusterName(destination.host, port, destination.subset ?? '');
}

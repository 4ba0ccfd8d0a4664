/**
 * The sidecar's outbound capture listener. iptables redirects outbound
 * connections to 15001; useOriginalDst hands each one to the listener for
 * its original address, and what matches none of them takes this catch-all:
 * out of the mesh under ALLOW_ANY, dropped under REGISTRY_ONLY.
 */
import type { MeshConfig } from '../../../model/types.js';
import { BLACKHOLE_CLUSTER, PASSTHROUGH_CLUSTER } from '../common/cluster-names.js';
import { socketAddress } from '../common/socket-address.js';
import { tcpProxyFilter } from './tcp-proxy-filter.js';

export const VIRTUAL_OUTBOUND_LISTENER = 'virtualOutbound';
export const VIRTUAL_OUTBOUND_PORT = 15001;

export function buildVirtualOutboundListener(mesh: MeshConfig): Record<string, unknown> {
  const allowAny = mesh.outboundTrafficPolicy === 'ALLOW_ANY';
  const cluster = allowAny ? PASSTHROUGH_CLUSTER : BLACKHOLE_CLUSTER;
  return {
    name: VIRTUAL_OUTBOUND_LISTENER,
    address: socketAddress('0.0.0.0', VIRTUAL_OUTBOUND_PORT),
    useOriginalDst: { value: true },
    trafficDirection: 'OUTBOUND',
    filterChains: [
      {
        name: allowAny ? 'virtualOutbound-catchall-tcp' : 'virtualOutbound-blackhole',
        filters: [tcpProxyFilter(cluster)],
      },
    ],
  };
}

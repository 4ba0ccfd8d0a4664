/**
 * The sidecar's outbound capture listener (Istio's
 * buildVirtualOutboundListener). iptables redirects outbound connections
 * to 15001; useOriginalDst hands each one to the listener for its original
 * address, and what matches none of them takes the catch-all chain: out of
 * the mesh under ALLOW_ANY (or to the egress proxy), dropped under
 * REGISTRY_ONLY. Connections addressed to 15001 itself are always dropped,
 * or they would loop through the listener forever.
 */
import type { InterceptionMode } from '../../../model/proxy.js';
import { BLACKHOLE_CLUSTER } from '../common/cluster-names.js';
import { socketAddress } from '../common/socket-address.js';
import { tcpProxyFilter } from './tcp-proxy-filter.js';

export const VIRTUAL_OUTBOUND_LISTENER = 'virtualOutbound';
export const VIRTUAL_OUTBOUND_PORT = 15001;

export function buildVirtualOutboundListener(catchAllCluster: string, interception: InterceptionMode): Record<string, unknown> {
  const listener: Record<string, unknown> = {
    name: VIRTUAL_OUTBOUND_LISTENER,
    address: socketAddress('0.0.0.0', VIRTUAL_OUTBOUND_PORT),
    useOriginalDst: { value: true },
    trafficDirection: 'OUTBOUND',
    filterChains: [
      {
        name: 'virtualOutbound-blackhole',
        filterChainMatch: { destinationPort: { value: VIRTUAL_OUTBOUND_PORT } },
        filters: [tcpProxyFilter(BLACKHOLE_CLUSTER)],
      },
      { name: 'virtualOutbound-catchall-tcp', filters: [tcpProxyFilter(catchAllCluster)] },
    ],
  };
  if (interception === 'TPROXY') listener['transparent'] = { value: true };
  return listener;
}

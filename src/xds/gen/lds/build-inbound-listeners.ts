/**
 * A sidecar's inbound listeners (Istio's buildInboundListeners).
 * iptables redirects inbound connections to 15006, where virtualInbound
 * picks a chain by original destination port: one per inbound port, the
 * passthrough chains for every other port, and a blackhole for 15006
 * itself. A port whose capture mode is NONE gets a listener of its own
 * that binds it. Without capture (interception NONE) there is no
 * virtualInbound.
 */
import type { InterceptionMode } from '../../../model/proxy.js';
import { socketAddress } from '../common/socket-address.js';
import {
  buildInboundBlackholeChain,
  buildInboundPortChain,
  buildPassthroughChains,
  PLAINTEXT,
  VIRTUAL_INBOUND_LISTENER,
  VIRTUAL_INBOUND_PORT,
} from './inbound-filter-chains.js';
import type { InboundChainPort } from './inbound-ports.js';
import { WILDCARD_BIND } from './inbound-ports.js';
import { inspectorFilters, originalDstFilter } from './listener-filters.js';

/** MeshConfig.protocolDetectionTimeout's default: 0s, no limit on how long the inspectors may wait. */
const PROTOCOL_DETECTION_TIMEOUT = { seconds: 0 };

function inboundListener(name: string, address: string, port: number, chains: Record<string, unknown>[], capture: boolean): Record<string, unknown> {
  const listenerFilters = [...(capture ? [originalDstFilter()] : []), ...inspectorFilters(chains)];
  const listener: Record<string, unknown> = {
    name,
    address: socketAddress(address, port),
    trafficDirection: 'INBOUND',
    // A connection the inspectors cannot classify in time still gets the chain that does not depend on them.
    continueOnListenerFiltersTimeout: true,
    filterChains: chains,
  };
  if (listenerFilters.length > 0) listener['listenerFilters'] = listenerFilters;
  listener['listenerFiltersTimeout'] = PROTOCOL_DETECTION_TIMEOUT;
  return listener;
}

export function buildVirtualInboundListener(ports: readonly InboundChainPort[], interception: InterceptionMode): Record<string, unknown> {
  const chains = [buildInboundBlackholeChain(), ...buildPassthroughChains(PLAINTEXT), ...ports.filter((p) => !p.bindToPort).map((p) => buildInboundPortChain(p, PLAINTEXT))];
  const listener = inboundListener(VIRTUAL_INBOUND_LISTENER, WILDCARD_BIND, VIRTUAL_INBOUND_PORT, chains, true);
  // TPROXY delivers connections with their original addresses; Envoy must accept them as such.
  if (interception === 'TPROXY') listener['transparent'] = { value: true };
  return listener;
}

export function buildInboundListeners(ports: readonly InboundChainPort[], interception: InterceptionMode): Record<string, unknown>[] {
  const bound = ports
    .filter((p) => p.bindToPort)
    .map((p) => inboundListener(`${p.bind}_${p.port}`, p.bind, p.port, [buildInboundPortChain(p, PLAINTEXT)], false));
  return interception === 'NONE' ? bound : [buildVirtualInboundListener(ports, interception), ...bound];
}

/**
 * A sidecar's inbound listeners (Istio's buildInboundListeners).
 * iptables redirects inbound connections to 15006, where virtualInbound
 * picks a chain by original destination port: one per inbound port, the
 * passthrough chains for every other port, and a blackhole for 15006
 * itself; each in as many chains as its mutual TLS mode calls for. A port
 * whose capture mode is NONE gets a listener of its own that binds it.
 * Without capture (interception NONE) there is no virtualInbound.
 */
import type { InterceptionMode } from '../../../model/proxy.js';
import { socketAddress } from '../common/socket-address.js';
import {
  buildInboundBlackholeChain,
  buildInboundPortChains,
  buildPassthroughChains,
  VIRTUAL_INBOUND_LISTENER,
  VIRTUAL_INBOUND_PORT,
  type InboundTls,
} from './inbound-filter-chains.js';
import type { InboundMtls } from './inbound-mtls.js';
import { addSecurityFilters } from '../authz/chain-security.js';
import { NO_SECURITY_FILTERS, type SecurityFilters } from '../authz/security-filters.js';
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

/** A port the mTLS plan does not know (it always does) is PERMISSIVE, Istio's default. Its chains carry the proxy's authn/authz filters. */
function portChains(port: InboundChainPort, mtls: InboundMtls, tls: InboundTls, security: SecurityFilters): Record<string, unknown>[] {
  return buildInboundPortChains(port, mtls.ports[String(port.port)] ?? 'PERMISSIVE', tls).map((c) => addSecurityFilters(c, security));
}

export function buildVirtualInboundListener(
  ports: readonly InboundChainPort[],
  interception: InterceptionMode,
  mtls: InboundMtls,
  tls: InboundTls,
  security: SecurityFilters = NO_SECURITY_FILTERS,
): Record<string, unknown> {
  const chains = [
    buildInboundBlackholeChain(),
    ...mtls.passthrough.flatMap((p) => buildPassthroughChains(p.port, p.mode, tls)).map((c) => addSecurityFilters(c, security)),
    ...ports.filter((p) => !p.bindToPort).flatMap((p) => portChains(p, mtls, tls, security)),
  ];
  const listener = inboundListener(VIRTUAL_INBOUND_LISTENER, WILDCARD_BIND, VIRTUAL_INBOUND_PORT, chains, true);
  // TPROXY delivers connections with their original addresses; Envoy must accept them as such.
  if (interception === 'TPROXY') listener['transparent'] = { value: true };
  return listener;
}

export function buildInboundListeners(
  ports: readonly InboundChainPort[],
  interception: InterceptionMode,
  mtls: InboundMtls,
  tls: InboundTls,
  security: SecurityFilters = NO_SECURITY_FILTERS,
): Record<string, unknown>[] {
  const bound = ports
    .filter((p) => p.bindToPort)
    .map((p) => inboundListener(`${p.bind}_${p.port}`, p.bind, p.port, portChains(p, mtls, tls, security), false));
  return interception === 'NONE' ? bound : [buildVirtualInboundListener(ports, interception, mtls, tls, security), ...bound];
}

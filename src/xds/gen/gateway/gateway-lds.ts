/**
 * A gateway proxy's listeners, from the Gateways that select it (Istio's
 * buildGatewayListeners): one listener "<bind or 0.0.0.0>_<port>" per bound
 * port, bound for real (the gateway pod receives traffic directly), with
 * one HTTP chain for plain-text HTTP servers, or one chain per TLS/TCP
 * server. A port whose servers yield no chain (a TCP server no
 * VirtualService routes) gets no listener, as in Istio. Every chain but
 * AUTO_PASSTHROUGH ones carries the pod's authentication and authorization
 * filters (authz/security-filters.ts).
 */
import type { ProxyNode } from '../../../model/proxy.js';
import type { MeshSnapshot } from '../../../model/types.js';
import { addSecurityFilters } from '../authz/chain-security.js';
import { securityFilters, securityKeyOf, type SecurityFilters } from '../authz/security-filters.js';
import { secondsDuration } from '../common/duration.js';
import { workloadSecretSourceOf, type WorkloadSecretSource } from '../common/sds-config.js';
import { socketAddress } from '../common/socket-address.js';
import { TLS_INSPECTOR_FILTER, TLS_INSPECTOR_TYPE } from '../common/type-names.js';
import { gatewayKeyOf, type GatewayKey } from './gateway-key.js';
import { defaultStatPrefix, httpsChain, plainHttpChain, type GatewayFilterChain } from './gateway-http-chain.js';
import { isHttpProtocol, isHttpsTerminating, serverTls, tlsModeOf } from './gateway-server.js';
import { tcpServerChains, type TcpChainContext } from './gateway-tcp-chains.js';
import { buildGatewayTlsContext } from './gateway-tls-context.js';
import { mergeGateways, type MergedPort } from './merge-gateways.js';

/**
 * `security`: the AuthorizationPolicies and RequestAuthentications that apply to the gateway pod (securityKeyOf).
 * `workloadSds`: where it gets its own certificate, which ISTIO_MUTUAL servers present.
 */
export type GatewayLdsKey = GatewayKey & { readonly security: readonly string[]; readonly workloadSds: WorkloadSecretSource };

const WILDCARD_ADDRESS = '0.0.0.0';
/** Istio's PILOT_GATEWAY_TRANSPORT_SOCKET_CONNECT_TIMEOUT default: bounds slow TLS handshakes. */
const TRANSPORT_SOCKET_CONNECT_TIMEOUT_SECONDS = 15;

export function gatewayLdsKey(proxy: ProxyNode, snapshot: MeshSnapshot): GatewayLdsKey {
  return { ...gatewayKeyOf(proxy, snapshot), security: securityKeyOf(proxy, snapshot), workloadSds: workloadSecretSourceOf(proxy) };
}

function secured(chain: GatewayFilterChain, security: SecurityFilters): GatewayFilterChain {
  return { ...chain, chain: addSecurityFilters(chain.chain, security) };
}

function portChains(port: MergedPort, listenerName: string, context: TcpChainContext, security: SecurityFilters): GatewayFilterChain[] {
  if (isHttpProtocol(port.protocol)) return [secured(plainHttpChain(port.routeName, listenerName), security)];
  const out: GatewayFilterChain[] = [];
  for (const merged of port.servers) {
    if (isHttpsTerminating(merged.server)) {
      const tls = buildGatewayTlsContext(serverTls(merged.server) ?? {}, false, context.workloadSds, context.snapshot.mesh.tlsDefaults);
      if (!tls) continue;
      const statPrefix = merged.server.name ? merged.server.name : defaultStatPrefix(listenerName);
      out.push(secured(httpsChain(merged.routeName, statPrefix, merged.sniHosts, tls), security));
    } else {
      const chains = tcpServerChains(context, merged);
      // AUTO_PASSTHROUGH only forwards mesh mTLS to services whose own proxies enforce policy: Istio builds it without authz.
      const tls = serverTls(merged.server);
      out.push(...(tls && tlsModeOf(tls) === 'AUTO_PASSTHROUGH' ? chains : chains.map((c) => secured(c, security))));
    }
  }
  return out;
}

export function buildGatewayListeners(snapshot: MeshSnapshot, key: GatewayLdsKey): Record<string, unknown>[] {
  const merged = mergeGateways(snapshot, key);
  const security = securityFilters(snapshot, key.security, true);
  const byListener = new Map<string, { address: string; port: number; chains: GatewayFilterChain[]; context: TcpChainContext }>();
  for (const port of merged.ports) {
    const address = port.bind || WILDCARD_ADDRESS;
    const name = `${address}_${port.number}`;
    let listener = byListener.get(name);
    if (!listener) {
      listener = { address, port: port.number, chains: [], context: { snapshot, proxyNamespace: key.namespace, sniHostsOnListener: new Map(), workloadSds: key.workloadSds } };
      byListener.set(name, listener);
    }
    listener.chains.push(...portChains(port, name, listener.context, security));
  }
  const out: Record<string, unknown>[] = [];
  for (const [name, listener] of byListener) {
    if (listener.chains.length === 0) continue;
    const resource: Record<string, unknown> = {
      name,
      address: socketAddress(listener.address, listener.port),
      trafficDirection: 'OUTBOUND',
    };
    if (listener.chains.some((c) => c.needsTlsInspector)) {
      resource['listenerFilters'] = [{ name: TLS_INSPECTOR_FILTER, typedConfig: { '@type': TLS_INSPECTOR_TYPE } }];
    }
    resource['filterChains'] = listener.chains.map((c) => ({
      ...c.chain,
      transportSocketConnectTimeout: secondsDuration(TRANSPORT_SOCKET_CONNECT_TIMEOUT_SECONDS),
    }));
    out.push(resource);
  }
  return out.sort((a, b) => compareListeners(a, b));
}

function compareListeners(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const name = (r: Record<string, unknown>): string => r['name'] as string;
  return name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0;
}

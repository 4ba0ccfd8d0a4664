/**
 * A gateway's HTTP filter chain: an HttpConnectionManager taking its routes
 * over RDS, with the edge settings Istio's buildGatewayConnectionManager
 * gives every gateway (the client address is the connection's peer, and
 * client certificate details are sanitised and set from the TLS session).
 */
import { HTTP_CONNECTION_MANAGER_FILTER } from '../common/type-names.js';
import { rdsHttpConnectionManager } from '../lds/http-connection-manager.js';
import { downstreamTlsTransportSocket } from './gateway-tls-context.js';

export interface GatewayFilterChain {
  readonly chain: Record<string, unknown>;
  /** Whether the listener must inspect the ClientHello (SNI or ALPN) to pick this chain. */
  readonly needsTlsInspector: boolean;
}

function gatewayConnectionManager(routeName: string, statPrefix: string): Record<string, unknown> {
  return {
    ...rdsHttpConnectionManager(routeName, statPrefix, 'envoy'),
    useRemoteAddress: { value: true },
    forwardClientCertDetails: 'SANITIZE_SET',
    setCurrentClientCertDetails: { subject: { value: true }, cert: true, dns: true, uri: true },
    httpProtocolOptions: {},
  };
}

/** Istio's default stat prefix for a gateway HCM: direction and listener name. */
export function defaultStatPrefix(listenerName: string): string {
  return `outbound_${listenerName}`;
}

/** A plain-text HTTP port: one chain, no match. */
export function plainHttpChain(routeName: string, listenerName: string): GatewayFilterChain {
  const hcm = gatewayConnectionManager(routeName, defaultStatPrefix(listenerName));
  return { chain: { filters: [{ name: HTTP_CONNECTION_MANAGER_FILTER, typedConfig: hcm }] }, needsTlsInspector: false };
}

/** A terminated HTTPS server: matched by its SNI names (none for a "*" host), with its own TLS context and route configuration. */
export function httpsChain(
  routeName: string,
  statPrefix: string,
  sniHosts: readonly string[],
  tlsContext: Record<string, unknown>,
): GatewayFilterChain {
  const hcm = gatewayConnectionManager(routeName, statPrefix);
  const chain: Record<string, unknown> = {};
  const match = sniMatch(sniHosts);
  if (match) chain['filterChainMatch'] = match;
  chain['filters'] = [{ name: HTTP_CONNECTION_MANAGER_FILTER, typedConfig: hcm }];
  chain['transportSocket'] = downstreamTlsTransportSocket(tlsContext);
  // ALPN is always offered on a terminated chain, so the ClientHello is always inspected.
  return { chain, needsTlsInspector: true };
}

/** Istio's toFilterChainMatch: sorted server names, left out when a full wildcard is among them. */
export function sniMatch(sniHosts: readonly string[], applicationProtocols?: readonly string[]): Record<string, unknown> | undefined {
  const match: Record<string, unknown> = {};
  if (sniHosts.length > 0 && !sniHosts.includes('*')) match['serverNames'] = [...sniHosts].sort();
  if (applicationProtocols && applicationProtocols.length > 0) match['applicationProtocols'] = [...applicationProtocols];
  return Object.keys(match).length > 0 ? match : undefined;
}

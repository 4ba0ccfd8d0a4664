/**
 * virtualInbound's filter chains (Istio's inboundChainForOpts and
 * buildInboundPassthroughChains). Each chain is built for one
 * ChainTransport: what the connection looks like on arrival, and the
 * transport socket that terminates it. Only plaintext exists today; an mTLS
 * variant (PeerAuthentication) adds transports, not new chain builders.
 */
import { BLACKHOLE_CLUSTER } from '../common/cluster-names.js';
import { HTTP_CONNECTION_MANAGER_FILTER } from '../common/type-names.js';
import { inlineHttpConnectionManager } from './inbound-http-connection-manager.js';
import type { InboundChainPort } from './inbound-ports.js';
import { PLAINTEXT_HTTP_ALPNS } from './listener-filters.js';
import { buildInboundRouteConfig } from './inbound-route-config.js';
import { tcpProxyFilter } from './tcp-proxy-filter.js';

export const VIRTUAL_INBOUND_LISTENER = 'virtualInbound';
export const VIRTUAL_INBOUND_PORT = 15006;
export const INBOUND_PASSTHROUGH_CLUSTER = 'InboundPassthroughCluster';
const CATCH_ALL_HTTP_CHAIN = 'virtualInbound-catchall-http';
const BLACKHOLE_CHAIN = 'virtualInbound-blackhole';


export interface ChainTransport {
  /** "raw_buffer" for cleartext; "tls" once the TLS inspector has seen a ClientHello. */
  readonly transportProtocol: 'raw_buffer' | 'tls';
  readonly transportSocket?: Readonly<Record<string, unknown>>;
}

/** Cleartext, as every chain is until PeerAuthentication is translated (Istio's inboundPlainText*FilterChainMatchOptions). */
export const PLAINTEXT: ChainTransport = { transportProtocol: 'raw_buffer' };

export function inboundClusterName(port: number): string {
  return `inbound|${port}||`;
}

export function isHttpProtocol(protocol: InboundChainPort['protocol']): boolean {
  return protocol === 'HTTP' || protocol === 'HTTP2' || protocol === 'GRPC';
}

function withTransport(chain: Record<string, unknown>, transport: ChainTransport): Record<string, unknown> {
  if (transport.transportSocket) chain['transportSocket'] = transport.transportSocket;
  return chain;
}

function httpFilter(hcm: Record<string, unknown>): Record<string, unknown> {
  return { name: HTTP_CONNECTION_MANAGER_FILTER, typedConfig: hcm };
}

/** The chain for one inbound port: an HTTP connection manager for HTTP-family ports, else a TCP proxy. */
export function buildInboundPortChain(port: InboundChainPort, transport: ChainTransport): Record<string, unknown> {
  const cluster = inboundClusterName(port.port);
  const name = `${port.bind}_${port.port}`;
  let filter: Record<string, unknown>;
  if (isHttpProtocol(port.protocol)) {
    const routeConfig = buildInboundRouteConfig({ cluster, servicePort: port.servicePort, hostname: port.hostname, grpc: port.protocol === 'GRPC' });
    filter = httpFilter(inlineHttpConnectionManager(routeConfig, `inbound_${name}`, port.protocol !== 'HTTP'));
  } else {
    filter = tcpProxyFilter(cluster);
  }
  const chain: Record<string, unknown> = {
    name,
    filterChainMatch: { destinationPort: { value: port.port }, transportProtocol: transport.transportProtocol },
    filters: [filter],
  };
  return withTransport(chain, transport);
}

/**
 * Traffic to ports no chain claims goes to the original destination:
 * cleartext HTTP (recognised by the HTTP inspector) through an HTTP
 * connection manager, anything else as TCP.
 */
export function buildPassthroughChains(transport: ChainTransport): Record<string, unknown>[] {
  const routeConfig = buildInboundRouteConfig({ cluster: INBOUND_PASSTHROUGH_CLUSTER, servicePort: 0, hostname: '', grpc: false });
  const http: Record<string, unknown> = {
    name: CATCH_ALL_HTTP_CHAIN,
    filterChainMatch: { applicationProtocols: [...PLAINTEXT_HTTP_ALPNS], transportProtocol: transport.transportProtocol },
    filters: [httpFilter(inlineHttpConnectionManager(routeConfig, INBOUND_PASSTHROUGH_CLUSTER, false))],
  };
  const tcp: Record<string, unknown> = {
    name: VIRTUAL_INBOUND_LISTENER,
    filterChainMatch: { transportProtocol: transport.transportProtocol },
    filters: [tcpProxyFilter(INBOUND_PASSTHROUGH_CLUSTER)],
  };
  return [withTransport(http, transport), withTransport(tcp, transport)];
}

/** Connections addressed to 15006 itself would loop back into the listener forever: they are dropped. */
export function buildInboundBlackholeChain(): Record<string, unknown> {
  return {
    name: BLACKHOLE_CHAIN,
    filterChainMatch: { destinationPort: { value: VIRTUAL_INBOUND_PORT } },
    filters: [tcpProxyFilter(BLACKHOLE_CLUSTER)],
  };
}

/**
 * virtualInbound's filter chains (Istio's inboundChainForOpts and
 * buildInboundPassthroughChains). A port gets one chain per option its
 * mutual TLS mode and protocol call for (inbound-chain-options.ts), all
 * named alike and routing alike; they differ in what they match on arrival
 * and in whether they terminate mTLS.
 */
import type { MutualTlsMode } from '../../../model/peer-authentication.js';
import { BLACKHOLE_CLUSTER } from '../common/cluster-names.js';
import { inboundMtlsTransportSocket } from '../common/inbound-mtls-context.js';
import { HTTP_CONNECTION_MANAGER_FILTER } from '../common/type-names.js';
import { inboundChainOptions, type InboundChainOption } from './inbound-chain-options.js';
import { inlineHttpConnectionManager } from './inbound-http-connection-manager.js';
import type { InboundChainPort } from './inbound-ports.js';
import { buildInboundRouteConfig } from './inbound-route-config.js';
import { tcpProxyFilter } from './tcp-proxy-filter.js';
import type { WorkloadSecretSource } from '../common/sds-config.js';
import type { MeshTlsSettings } from '../../../model/types.js';

export const VIRTUAL_INBOUND_LISTENER = 'virtualInbound';
export const VIRTUAL_INBOUND_PORT = 15006;
export const INBOUND_PASSTHROUGH_CLUSTER = 'InboundPassthroughCluster';
const CATCH_ALL_HTTP_CHAIN = 'virtualInbound-catchall-http';
const BLACKHOLE_CHAIN = 'virtualInbound-blackhole';

/** What every mTLS-terminating chain needs besides its option: the trust domains whose workloads may connect, and where the proxy gets its certificate. */
export interface InboundTls {
  readonly trustDomains: readonly string[];
  readonly workloadSds: WorkloadSecretSource;
  /** MeshConfig.meshMTLS: the minimum TLS version and cipher suites of the mTLS chains. */
  readonly meshMtls?: MeshTlsSettings;
}

export function inboundClusterName(port: number): string {
  return `inbound|${port}||`;
}

export function isHttpProtocol(protocol: InboundChainPort['protocol']): boolean {
  return protocol === 'HTTP' || protocol === 'HTTP2' || protocol === 'GRPC';
}

function httpFilter(hcm: Record<string, unknown>): Record<string, unknown> {
  return { name: HTTP_CONNECTION_MANAGER_FILTER, typedConfig: hcm };
}

/** Istio's ToFilterChainMatch: the port (none for the catch-all passthrough), then transport protocol and ALPN. */
function filterChainMatch(port: number, option: InboundChainOption): Record<string, unknown> {
  return {
    ...(port > 0 ? { destinationPort: { value: port } } : {}),
    transportProtocol: option.transportProtocol,
    ...(option.applicationProtocols ? { applicationProtocols: [...option.applicationProtocols] } : {}),
  };
}

/** Each chain gets its own filter objects (`filter` builds them), as Istio builds each chain's filters afresh. */
function chain(name: string, port: number, option: InboundChainOption, filter: () => Record<string, unknown>, tls: InboundTls): Record<string, unknown> {
  const built: Record<string, unknown> = { name, filterChainMatch: filterChainMatch(port, option), filters: [filter()] };
  if (option.terminatesMtls) built['transportSocket'] = inboundMtlsTransportSocket(option.protocol, tls.trustDomains, tls.workloadSds, tls.meshMtls);
  return built;
}

/** The chains for one inbound port: an HTTP connection manager for HTTP-family ports, else a TCP proxy; one per mTLS option. */
export function buildInboundPortChains(port: InboundChainPort, mode: MutualTlsMode, tls: InboundTls): Record<string, unknown>[] {
  const cluster = inboundClusterName(port.port);
  const name = `${port.bind}_${port.port}`;
  const http = isHttpProtocol(port.protocol);
  const filter = (): Record<string, unknown> => {
    if (!http) return tcpProxyFilter(cluster);
    const routeConfig = buildInboundRouteConfig({ cluster, servicePort: port.servicePort, hostname: port.hostname, grpc: port.protocol === 'GRPC' });
    return httpFilter(inlineHttpConnectionManager(routeConfig, `inbound_${name}`, port.protocol !== 'HTTP'));
  };
  return inboundChainOptions(mode, http ? 'HTTP' : 'TCP').map((option) => chain(name, port.port, option, filter, tls));
}

/**
 * Traffic to ports no chain claims goes to the original destination:
 * HTTP (recognised by its ALPN, from the HTTP inspector or an Istio
 * client) through an HTTP connection manager, anything else as TCP. `port`
 * is 0 for the catch-all chains, or a port with its own port-level mTLS
 * mode that no inbound port claims.
 */
export function buildPassthroughChains(port: number, mode: MutualTlsMode, tls: InboundTls): Record<string, unknown>[] {
  const http = (): Record<string, unknown> =>
    httpFilter(
      inlineHttpConnectionManager(
        buildInboundRouteConfig({ cluster: INBOUND_PASSTHROUGH_CLUSTER, servicePort: 0, hostname: '', grpc: false }),
        INBOUND_PASSTHROUGH_CLUSTER,
        false,
      ),
    );
  const tcp = (): Record<string, unknown> => tcpProxyFilter(INBOUND_PASSTHROUGH_CLUSTER);
  return inboundChainOptions(mode, 'AUTO').map((option) =>
    option.protocol === 'HTTP' ? chain(CATCH_ALL_HTTP_CHAIN, port, option, http, tls) : chain(VIRTUAL_INBOUND_LISTENER, port, option, tcp, tls),
  );
}

/** Connections addressed to 15006 itself would loop back into the listener forever: they are dropped. */
export function buildInboundBlackholeChain(): Record<string, unknown> {
  return {
    name: BLACKHOLE_CHAIN,
    filterChainMatch: { destinationPort: { value: VIRTUAL_INBOUND_PORT } },
    filters: [tcpProxyFilter(BLACKHOLE_CLUSTER)],
  };
}

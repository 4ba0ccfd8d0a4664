/**
 * Listeners for xDS-enabled gRPC servers (gRFC A36), after Istio's grpcgen
 * buildInboundListeners: one per requested
 * "xds.istio.io/grpc/lds/inbound/<ip>:<port>" name whose port the
 * server's workload serves, named as requested, at that address, with a
 * single filter chain and no listener filters (gRPC NACKs them):
 *
 * - an HttpConnectionManager with an inline route configuration routing
 *   every request to the server itself (non_forwarding_action, all gRPC
 *   accepts on a server; grpc-go#4924 is why it is inline), and the HTTP
 *   filters RBAC (gRFC A41) then the router;
 * - under STRICT, a DownstreamTlsContext requiring a client certificate,
 *   with the certificate providers of the server's bootstrap for its own
 *   identity and for the roots (gRFC A29). The server checks no SAN:
 *   gRPC does not support match_subject_alt_names on a server.
 *
 * Names for ports the workload does not serve, or without a readable
 * address, get no listener: Istio skips them too (gRPC then serves
 * nothing on that address until one comes).
 */
import type { MeshSnapshot } from '../../../model/types.js';
import { socketAddress } from '../common/socket-address.js';
import { DOWNSTREAM_TLS_CONTEXT_TYPE, HTTP_CONNECTION_MANAGER_TYPE, ROUTER_FILTER, ROUTER_TYPE, TLS_TRANSPORT_SOCKET } from '../common/type-names.js';
import { certificateProviderTlsContext } from '../proxyless/certificate-provider-tls.js';
import { inboundListenerAddress } from '../proxyless/inbound-listener-name.js';
import { inboundTlsForPort, type ProxylessInbound, type ProxylessInboundTls } from '../proxyless/proxyless-inbound.js';
import { proxylessRbacFilters } from '../proxyless/proxyless-rbac.js';

type Message = Record<string, unknown>;

/** Istio's names: the chain "inbound-<mtls|plaintext>", its connection manager "inbound-hcm<same>", the route configuration "inbound". */
const CHAIN_SUFFIX: Readonly<Record<ProxylessInboundTls, string>> = { STRICT: 'mtls', DISABLE: 'plaintext' };
const INBOUND_ROUTE_CONFIG = 'inbound';

function inboundRouteConfig(): Message {
  return {
    name: INBOUND_ROUTE_CONFIG,
    // Envoy's rules want a virtual host name; gRPC does not read it.
    virtualHosts: [{ name: INBOUND_ROUTE_CONFIG, domains: ['*'], routes: [{ match: { prefix: '/' }, nonForwardingAction: {} }] }],
  };
}

function downstreamMtlsSocket(): Message {
  return {
    name: TLS_TRANSPORT_SOCKET,
    typedConfig: { '@type': DOWNSTREAM_TLS_CONTEXT_TYPE, commonTlsContext: certificateProviderTlsContext([]), requireClientCertificate: { value: true } },
  };
}

function inboundFilterChain(tls: ProxylessInboundTls, rbac: readonly Message[]): Message {
  const suffix = CHAIN_SUFFIX[tls];
  const hcm: Message = {
    '@type': HTTP_CONNECTION_MANAGER_TYPE,
    // Required by Envoy's rules (min_len 1); gRPC ignores it.
    statPrefix: `inbound-${suffix}`,
    routeConfig: inboundRouteConfig(),
    // The router must be last.
    httpFilters: [...rbac, { name: ROUTER_FILTER, typedConfig: { '@type': ROUTER_TYPE } }],
  };
  return {
    name: `inbound-${suffix}`,
    filters: [{ name: `inbound-hcm${suffix}`, typedConfig: hcm }],
    ...(tls === 'STRICT' ? { transportSocket: downstreamMtlsSocket() } : {}),
  };
}

/** The listeners for the inbound names among `names`, in the order of the names (sorted). */
export function buildProxylessInboundListeners(snapshot: MeshSnapshot, inbound: ProxylessInbound, names: readonly string[]): Message[] {
  const out: Message[] = [];
  let rbac: Message[] | undefined;
  for (const name of [...names].sort()) {
    const address = inboundListenerAddress(name);
    if (!address) continue;
    const tls = inboundTlsForPort(inbound, address.port);
    if (!tls) continue;
    rbac ??= proxylessRbacFilters(snapshot, inbound.inboundAuthorizationPolicies);
    out.push({ name, address: socketAddress(address.host, address.port), filterChains: [inboundFilterChain(tls, rbac)] });
  }
  return out;
}

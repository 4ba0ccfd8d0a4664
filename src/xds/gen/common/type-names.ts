/** Any '@type' URLs of the typed configs generators embed. */
const PREFIX = 'type.googleapis.com/';

export const HTTP_CONNECTION_MANAGER_TYPE =
  `${PREFIX}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`;
export const ROUTER_TYPE = `${PREFIX}envoy.extensions.filters.http.router.v3.Router`;
export const TCP_PROXY_TYPE = `${PREFIX}envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`;
export const HTTP_PROTOCOL_OPTIONS_TYPE = `${PREFIX}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`;

/** Well-known extension names Envoy (and gRPC, for the router) look filters up by. */
export const HTTP_CONNECTION_MANAGER_FILTER = 'envoy.filters.network.http_connection_manager';
export const ROUTER_FILTER = 'envoy.filters.http.router';
export const TCP_PROXY_FILTER = 'envoy.filters.network.tcp_proxy';
/** Key of Cluster.typed_extension_protocol_options for upstream HTTP settings. */
export const HTTP_PROTOCOL_OPTIONS_KEY = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
/** Gateway listeners: SNI/ALPN inspection and downstream TLS termination. */
export const TLS_INSPECTOR_TYPE = `${PREFIX}envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector`;
export const TLS_INSPECTOR_FILTER = 'envoy.filters.listener.tls_inspector';
export const DOWNSTREAM_TLS_CONTEXT_TYPE = `${PREFIX}envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext`;
export const TLS_TRANSPORT_SOCKET = 'envoy.transport_sockets.tls';
/** Sidecar capture listeners: hand a redirected connection to the listener (or chain) of its original destination, and sniff HTTP. */
export const ORIGINAL_DST_TYPE = `${PREFIX}envoy.extensions.filters.listener.original_dst.v3.OriginalDst`;
export const ORIGINAL_DST_FILTER = 'envoy.filters.listener.original_dst';
export const HTTP_INSPECTOR_TYPE = `${PREFIX}envoy.extensions.filters.listener.http_inspector.v3.HttpInspector`;
export const HTTP_INSPECTOR_FILTER = 'envoy.filters.listener.http_inspector';
export const UPSTREAM_TLS_CONTEXT_TYPE = `${PREFIX}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`;
/** Plain text as an explicit transport socket (auto mTLS's fallback for endpoints without a sidecar). */
export const RAW_BUFFER_TYPE = `${PREFIX}envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer`;
export const RAW_BUFFER_TRANSPORT_SOCKET = 'envoy.transport_sockets.raw_buffer';
/** Route features: fault injection and CORS (HTTP filters plus their per-route configs), retry host and priority predicates. */
export const FAULT_FILTER = 'envoy.filters.http.fault';
export const HTTP_FAULT_TYPE = `${PREFIX}envoy.extensions.filters.http.fault.v3.HTTPFault`;
export const CORS_FILTER = 'envoy.filters.http.cors';
export const CORS_TYPE = `${PREFIX}envoy.extensions.filters.http.cors.v3.Cors`;
export const CORS_POLICY_TYPE = `${PREFIX}envoy.extensions.filters.http.cors.v3.CorsPolicy`;
export const PREVIOUS_HOSTS_PREDICATE = 'envoy.retry_host_predicates.previous_hosts';
export const PREVIOUS_HOSTS_PREDICATE_TYPE = `${PREFIX}envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate`;
export const PREVIOUS_PRIORITIES = 'envoy.retry_priorities.previous_priorities';
export const PREVIOUS_PRIORITIES_TYPE = `${PREFIX}envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig`;

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

/**
 * An Envoy bootstrap for a sidecar of tsiod: node identity in Istio's format
 * and ADS (SotW or Delta) to tsiod's plaintext xDS port. This is the part of
 * istio-proxy's generated bootstrap that concerns xDS; pilot-agent adds
 * stats, tracing and SDS on top.
 */
export interface EnvoyBootstrapOptions {
  readonly xdsHost: string;
  readonly xdsPort: number;
  readonly nodeId: string;
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** DELTA_GRPC is what Istio uses since 1.22. */
  readonly apiType?: 'GRPC' | 'DELTA_GRPC';
  readonly adminPort: number;
}

export function envoyBootstrap(options: EnvoyBootstrapOptions): Record<string, unknown> {
  const ads = { ads: {}, resource_api_version: 'V3' };
  return {
    node: {
      id: options.nodeId,
      cluster: `${options.labels?.['app'] ?? 'workload'}.${options.namespace}`,
      metadata: { NAMESPACE: options.namespace, LABELS: options.labels ?? {}, ISTIO_VERSION: '1.24.0', CLUSTER_ID: 'Kubernetes' },
    },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: options.adminPort } } },
    dynamic_resources: {
      ads_config: {
        api_type: options.apiType ?? 'DELTA_GRPC',
        transport_api_version: 'V3',
        grpc_services: [{ envoy_grpc: { cluster_name: 'xds-grpc' } }],
        set_node_on_first_message_only: true,
      },
      cds_config: ads,
      lds_config: ads,
    },
    static_resources: {
      clusters: [{
        name: 'xds-grpc',
        type: 'STATIC',
        connect_timeout: '1s',
        typed_extension_protocol_options: {
          'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
            '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
            explicit_http_config: { http2_protocol_options: {} },
          },
        },
        load_assignment: {
          cluster_name: 'xds-grpc',
          endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: options.xdsHost, port_value: options.xdsPort } } } }] }],
        },
      }],
    },
  };
}

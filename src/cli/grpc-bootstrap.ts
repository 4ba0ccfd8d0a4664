/**
 * A gRPC xDS bootstrap (gRFC A27) for a proxyless client of tsiod: the file a
 * client names in GRPC_XDS_BOOTSTRAP before dialing xds:///<service>.
 */
export interface GrpcBootstrapOptions {
  readonly xdsAddress: string;
  readonly namespace: string;
  readonly nodeId?: string;
}

export function grpcBootstrap(options: GrpcBootstrapOptions): Record<string, unknown> {
  const nodeId = options.nodeId ?? `sidecar~127.0.0.1~grpc-client.${options.namespace}~${options.namespace}.svc.cluster.local`;
  return {
    xds_servers: [{ server_uri: options.xdsAddress, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: { id: nodeId, metadata: { NAMESPACE: options.namespace, GENERATOR: 'grpc' }, locality: {} },
  };
}

/**
 * A gRPC xDS bootstrap (gRFC A27) for a proxyless client or server of
 * tsiod: the file an application names in GRPC_XDS_BOOTSTRAP before
 * dialing xds:///<service> or serving with an xDS server. Shaped as
 * pilot-agent's (istio-agent grpcxds.GenerateBootstrap): the server
 * listener name template xDS-enabled servers fill in with their address
 * (gRFC A36), and with a certificate directory the "file_watcher"
 * certificate provider "default" over the files the agent writes there,
 * which tsiod's TLS configs name (gRFC A29).
 */
import path from 'node:path';
import { SERVER_LISTENER_NAME_TEMPLATE } from '../xds/gen/proxyless/inbound-listener-name.js';

export interface GrpcBootstrapOptions {
  readonly xdsAddress: string;
  readonly namespace: string;
  readonly nodeId?: string;
  /** Where cert-chain.pem, key.pem and root-cert.pem are (pilot-agent's OUTPUT_CERTS). */
  readonly certDir?: string;
  /** The workload's pod labels (node metadata LABELS): how tsiod finds the services an xDS server serves. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** pilot-agent's refresh interval (15 minutes), in the protojson Duration form it writes. */
const CERTIFICATE_REFRESH_INTERVAL = '900s';

function certificateProviders(certDir: string): Record<string, unknown> {
  return {
    default: {
      plugin_name: 'file_watcher',
      config: {
        certificate_file: path.join(certDir, 'cert-chain.pem'),
        private_key_file: path.join(certDir, 'key.pem'),
        ca_certificate_file: path.join(certDir, 'root-cert.pem'),
        refresh_interval: CERTIFICATE_REFRESH_INTERVAL,
      },
    },
  };
}

export function grpcBootstrap(options: GrpcBootstrapOptions): Record<string, unknown> {
  const nodeId = options.nodeId ?? `sidecar~127.0.0.1~grpc-client.${options.namespace}~${options.namespace}.svc.cluster.local`;
  const metadata: Record<string, unknown> = { NAMESPACE: options.namespace, GENERATOR: 'grpc' };
  if (options.labels && Object.keys(options.labels).length > 0) metadata['LABELS'] = { ...options.labels };
  return {
    xds_servers: [{ server_uri: options.xdsAddress, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: { id: nodeId, metadata, locality: {} },
    ...(options.certDir !== undefined ? { certificate_providers: certificateProviders(path.resolve(options.certDir)) } : {}),
    server_listener_resource_name_template: SERVER_LISTENER_NAME_TEMPLATE,
  };
}

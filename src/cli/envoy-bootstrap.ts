/**
 * An Envoy bootstrap for a sidecar of tsiod: node identity in Istio's format
 * and ADS (SotW or Delta) to tsiod's plaintext xDS port. This is the part of
 * istio-proxy's generated bootstrap that concerns xDS; pilot-agent adds
 * stats, tracing and SDS on top.
 *
 * There is no pilot-agent here, hence no local "sds-grpc" cluster: the node
 * says so (TSIOD_WORKLOAD_SDS "ads"), and tsiod's TLS contexts then name the
 * workload's certificate and trust bundle over ADS. tsiod serves them only
 * on authenticated streams: with `secure` (port 15012: TLS verified against
 * tsiod's root and server name, and the token sent as "authorization:
 * Bearer" on the ADS stream) Envoy gets them; on the plaintext port it warms
 * without them after its default fetch timeout and mutual TLS fails closed
 * (xds/gen/common/sds-config.ts). The token is written into the bootstrap:
 * treat the file as a secret.
 */
import { WORKLOAD_SDS_METADATA, type WorkloadSdsSource } from '../model/proxy.js';

/** This Envoy gets "default" and "ROOTCA" from tsiod over its ADS stream. */
const WORKLOAD_SDS: WorkloadSdsSource = 'ads';

export interface EnvoyBootstrapOptions {
  readonly xdsHost: string;
  readonly xdsPort: number;
  readonly nodeId: string;
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** DELTA_GRPC is what Istio uses since 1.22. */
  readonly apiType?: 'GRPC' | 'DELTA_GRPC';
  readonly adminPort: number;
  /** The workload's service account (node metadata SERVICE_ACCOUNT, checked against the token on 15012). */
  readonly serviceAccount?: string;
  /** Connect to the authenticated port instead of the plaintext one. */
  readonly secure?: SecureXdsOptions;
}

export interface SecureXdsOptions {
  /** PEM roots that verify tsiod's serving certificate (`tsiod ca root`). */
  readonly rootCertPem: string;
  /** The name in that certificate, istiod.<system namespace>.svc. */
  readonly serverName: string;
  /** A token for the workload's identity, audience istio-ca (`tsiod token create`, or a Kubernetes one). */
  readonly token: string;
}

function xdsTransportSocket(secure: SecureXdsOptions): Record<string, unknown> {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      sni: secure.serverName,
      common_tls_context: {
        alpn_protocols: ['h2'],
        validation_context: {
          trusted_ca: { inline_string: secure.rootCertPem },
          match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: secure.serverName } }],
        },
      },
    },
  };
}

export function envoyBootstrap(options: EnvoyBootstrapOptions): Record<string, unknown> {
  const ads = { ads: {}, resource_api_version: 'V3' };
  return {
    node: {
      id: options.nodeId,
      cluster: `${options.labels?.['app'] ?? 'workload'}.${options.namespace}`,
      metadata: {
        NAMESPACE: options.namespace, LABELS: options.labels ?? {}, ISTIO_VERSION: '1.24.0', CLUSTER_ID: 'Kubernetes',
        ...(options.serviceAccount !== undefined ? { SERVICE_ACCOUNT: options.serviceAccount } : {}),
        [WORKLOAD_SDS_METADATA]: WORKLOAD_SDS,
      },
    },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: options.adminPort } } },
    dynamic_resources: {
      ads_config: {
        api_type: options.apiType ?? 'DELTA_GRPC',
        transport_api_version: 'V3',
        grpc_services: [{
          envoy_grpc: { cluster_name: 'xds-grpc' },
          ...(options.secure ? { initial_metadata: [{ key: 'authorization', value: `Bearer ${options.secure.token}` }] } : {}),
        }],
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
        ...(options.secure ? { transport_socket: xdsTransportSocket(options.secure) } : {}),
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

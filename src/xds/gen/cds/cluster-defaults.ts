/** Settings every outbound cluster shares, with Istio's mesh defaults. */
import type { MeshConfig, MeshService, ServicePort } from '../../../model/types.js';
import { DEFAULT_CONNECT_TIMEOUT } from '../../../model/mesh-traffic-defaults.js';
import { adsConfigSource } from '../common/config-source.js';
import { parseGoDuration, secondsDuration, type ProtoDuration } from '../common/duration.js';
import { HTTP_PROTOCOL_OPTIONS_KEY, HTTP_PROTOCOL_OPTIONS_TYPE } from '../common/type-names.js';

/** The mesh config fields cluster builders read (Istio takes them from push.Mesh). */
export type MeshClusterDefaults = Pick<MeshConfig, 'connectTimeout' | 'tcpKeepalive' | 'h2UpgradePolicy' | 'localityLbSetting' | 'tlsDefaults'>;

/** MeshConfig.connectTimeout (Istio's applyDefaultConnectionPool), 10s when the mesh sets none. */
export function connectTimeout(mesh?: MeshClusterDefaults): ProtoDuration {
  return parseGoDuration(mesh?.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT) ?? secondsDuration(10);
}

/**
 * MeshConfig.outboundClusterStatName expanded for one cluster, with Istio's
 * ";" delimiter (telemetry.BuildStatPrefix, util.DelimitedStatsPrefix).
 * %SERVICE% is "name.namespace" for a Kubernetes Service and the host for a
 * ServiceEntry; an outbound cluster's %TARGET_PORT% is 0.
 */
export function outboundAltStatName(pattern: string, service: MeshService, port: ServicePort, subset: string): string {
  const kubernetes = service.origin === 'kubernetes';
  const values: Readonly<Record<string, string>> = {
    '%SERVICE%': kubernetes ? `${service.name}.${service.namespace}` : service.hostname,
    '%SERVICE_NAME%': kubernetes ? service.name : service.hostname,
    '%SERVICE_FQDN%': service.hostname,
    '%SUBSET_NAME%': subset,
    '%TARGET_PORT%': '0',
    '%SERVICE_PORT%': String(port.port),
    '%SERVICE_PORT_NAME%': port.name,
  };
  // Istio replaces the patterns one after another in this order; none can produce another.
  let out = pattern;
  for (const [token, value] of Object.entries(values)) out = out.split(token).join(value);
  return `${out};`;
}

export function edsClusterConfig(clusterName: string): Record<string, unknown> {
  return { edsConfig: adsConfigSource(), serviceName: clusterName };
}

/**
 * HTTP/2 (and gRPC) ports must reach the upstream over HTTP/2 even when the
 * client spoke HTTP/1.1 to the sidecar; Istio makes that explicit.
 */
export function http2ProtocolOptions(): Record<string, unknown> {
  return {
    [HTTP_PROTOCOL_OPTIONS_KEY]: {
      '@type': HTTP_PROTOCOL_OPTIONS_TYPE,
      explicitHttpConfig: { http2ProtocolOptions: {} },
    },
  };
}

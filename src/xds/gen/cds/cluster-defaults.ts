/** Settings every outbound cluster shares, with Istio's mesh defaults. */
import { adsConfigSource } from '../common/config-source.js';
import { secondsDuration, type ProtoDuration } from '../common/duration.js';
import { HTTP_PROTOCOL_OPTIONS_KEY, HTTP_PROTOCOL_OPTIONS_TYPE } from '../common/type-names.js';

/** MeshConfig.connectTimeout's default in Istio. */
export function connectTimeout(): ProtoDuration {
  return secondsDuration(10);
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

/**
 * The route configuration an inbound HTTP chain carries inline (Istio's
 * buildSidecarInboundHTTPRouteConfig): one virtual host for any Host
 * header, one route sending everything to the chain's inbound cluster.
 * Inbound routes never time out (the caller's sidecar enforces the
 * VirtualService timeout) and retry only requests reset before reaching
 * the application, except on gRPC ports, where such retries break streams.
 */
import { catchAllMatch } from '../rds/translate-route-match.js';

export interface InboundRouteTarget {
  /** The inbound cluster, which also names the route configuration. */
  readonly cluster: string;
  /** The service port the virtual host is named after (0 for the passthrough chain). */
  readonly servicePort: number;
  /** The service host in the trace operation ("" for the passthrough chain). */
  readonly hostname: string;
  readonly grpc: boolean;
}

/** Istio's retry.ConvertInboundPolicy with no mesh default inbound retry policy. */
function defaultInboundRetryPolicy(): Record<string, unknown> {
  return { retryOn: 'reset-before-request', numRetries: { value: 2 } };
}

export function buildInboundRouteConfig(target: InboundRouteTarget): Record<string, unknown> {
  const action: Record<string, unknown> = {
    cluster: target.cluster,
    timeout: { seconds: 0 },
    maxStreamDuration: { maxStreamDuration: { seconds: 0 }, grpcTimeoutHeaderMax: { seconds: 0 } },
  };
  if (!target.grpc) action['retryPolicy'] = defaultInboundRetryPolicy();
  return {
    name: target.cluster,
    virtualHosts: [
      {
        name: `inbound|http|${target.servicePort}`,
        domains: ['*'],
        routes: [
          {
            name: 'default',
            match: catchAllMatch(),
            decorator: { operation: `${target.hostname}:${target.servicePort}/*` },
            route: action,
          },
        ],
      },
    ],
    validateClusters: { value: false },
  };
}

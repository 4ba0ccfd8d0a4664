/**
 * The HttpConnectionManager of an inbound HTTP chain. Inbound routes are
 * inline rather than fetched over RDS, as in Istio: they depend only on the
 * chain, and a chain must not wait on a second resource to serve its
 * workload. The HTTP filters are the same as outbound ones.
 */
import { rdsHttpConnectionManager } from './http-connection-manager.js';

export function inlineHttpConnectionManager(
  routeConfig: Readonly<Record<string, unknown>>,
  statPrefix: string,
  http2: boolean,
): Record<string, unknown> {
  const { rds: _fetchedOverRds, ...shared } = rdsHttpConnectionManager(String(routeConfig['name']), statPrefix, 'envoy');
  const hcm: Record<string, unknown> = { ...shared, routeConfig };
  // Istio accepts HTTP/2 prior knowledge on HTTP2 and gRPC ports (gRPC-Web proxies rely on it).
  if (http2) hcm['http2ProtocolOptions'] = {};
  return hcm;
}

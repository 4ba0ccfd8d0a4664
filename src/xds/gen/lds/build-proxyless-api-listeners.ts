/**
 * Proxyless gRPC listeners: API listeners, one per dialed target, named
 * exactly as requested, whose HttpConnectionManager fetches the route
 * configuration of the same name.
 */
import { socketAddress } from '../common/socket-address.js';
import { serviceVip } from '../common/mesh-services.js';
import type { DialedTarget } from '../proxyless/resolve-dialed-host.js';
import { rdsHttpConnectionManager } from './http-connection-manager.js';

export function buildProxylessApiListener(target: DialedTarget): Record<string, unknown> {
  return {
    name: target.name,
    // gRPC ignores the address of an API listener; it is informational, as in Istio.
    address: socketAddress(serviceVip(target.service) ?? '0.0.0.0', target.port.port),
    apiListener: { apiListener: rdsHttpConnectionManager(target.name, target.name, 'proxyless') },
  };
}

/**
 * The coarse proxy classes generators key on. Envoy sidecars and gateways
 * accept the same cluster types; proxyless gRPC accepts far fewer, and gets
 * on-demand API listeners instead of port listeners.
 */
import type { ProxyNode } from '../../../model/proxy.js';

export type ClientKind = 'envoy' | 'proxyless';

export function clientKindOf(proxy: ProxyNode): ClientKind {
  return proxy.type === 'proxyless' ? 'proxyless' : 'envoy';
}


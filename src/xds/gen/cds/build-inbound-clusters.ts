/** A sidecar's inbound clusters, towards its own workload. */
import type { ProxyNode } from '../../../model/proxy.js';
import type { MeshSnapshot } from '../../../model/types.js';

/** The part of a proxy its inbound clusters depend on, as a key string ("" for none). */
export function inboundClusterKey(_proxy: ProxyNode, _snapshot: MeshSnapshot): string {
  return '';
}

export function buildInboundClusters(_snapshot: MeshSnapshot, _inboundKey: string): Record<string, unknown>[] {
  return [];
}

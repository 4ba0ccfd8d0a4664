/** A gateway proxy's listeners, from the Gateway resources that select it. */
import type { ProxyNode } from '../../../model/proxy.js';
import type { MeshSnapshot } from '../../../model/types.js';

export type GatewayLdsKey = {
  readonly kind: 'router';
};

export function gatewayLdsKey(_proxy: ProxyNode, _snapshot: MeshSnapshot): GatewayLdsKey {
  return { kind: 'router' };
}

export function buildGatewayListeners(_snapshot: MeshSnapshot, _key: GatewayLdsKey): Record<string, unknown>[] {
  return [];
}

/**
 * A sidecar's listeners: virtualOutbound plus its outbound port listeners,
 * for the services its Sidecar resource (if any) lets it see.
 */
import type { ProxyNode } from '../../../model/proxy.js';
import type { MeshSnapshot } from '../../../model/types.js';
import { egressScopeOf, scopedServices } from '../common/mesh-services.js';
import { buildHttpListener, buildTcpListeners, httpPortNumbers } from './build-sidecar-outbound-listeners.js';
import { buildVirtualOutboundListener } from './build-virtual-outbound-listener.js';

export type SidecarLdsKey = {
  readonly kind: 'sidecar';
  readonly egressScope: string;
};

export function sidecarLdsKey(proxy: ProxyNode, snapshot: MeshSnapshot): SidecarLdsKey {
  return { kind: 'sidecar', egressScope: egressScopeOf(proxy, snapshot) };
}

export function buildSidecarListeners(snapshot: MeshSnapshot, key: SidecarLdsKey): Record<string, unknown>[] {
  const services = scopedServices(snapshot, key.egressScope);
  return [buildVirtualOutboundListener(snapshot.mesh), ...httpPortNumbers(services).map(buildHttpListener), ...buildTcpListeners(services)];
}

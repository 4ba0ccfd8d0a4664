/**
 * A sidecar's listeners: virtualOutbound, its outbound port listeners for
 * the services its Sidecar resource (if any) lets it see, and its inbound
 * listeners. The key holds what they depend on beyond the snapshot: the
 * egress scope (the Sidecar, which also sets the outbound traffic policy),
 * the inbound ports, the interception mode, and the proxy's view of
 * VirtualService L4 routes.
 */
import type { InterceptionMode, ProxyNode } from '../../../model/proxy.js';
import type { MeshSnapshot } from '../../../model/types.js';
import { egressScopeOf } from '../common/mesh-services.js';
import { buildInboundListeners } from './build-inbound-listeners.js';
import { buildHttpListener, buildTcpListener } from './build-sidecar-outbound-listeners.js';
import { buildVirtualOutboundListener } from './build-virtual-outbound-listener.js';
import { inboundChainPort, inboundPortsOf, interceptionOf, type InboundChainPort } from './inbound-ports.js';
import { l4RouteView } from './sidecar-l4-routes.js';
import { outboundListenerPlans } from './sidecar-outbound-plan.js';
import { catchAllCluster, outboundPolicyOfScope } from './sidecar-resource.js';

export type SidecarLdsKey = {
  readonly kind: 'sidecar';
  readonly egressScope: string;
  readonly interception: InterceptionMode;
  /** The inbound ports as JSON (InboundChainPort[]): sidecars serving the same ports share output. */
  readonly inbound: string;
  readonly l4Namespace: string;
  readonly l4SourceMatches: readonly string[];
};

export function sidecarLdsKey(proxy: ProxyNode, snapshot: MeshSnapshot): SidecarLdsKey {
  return {
    kind: 'sidecar',
    egressScope: egressScopeOf(proxy, snapshot),
    interception: interceptionOf(proxy),
    inbound: JSON.stringify(inboundPortsOf(proxy, snapshot).map(inboundChainPort)),
    ...l4RouteView(proxy, snapshot),
  };
}

/** The key's JSON is always this module's own; anything else means no inbound ports rather than an exception. */
function parseInboundPorts(text: string): InboundChainPort[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as InboundChainPort[]) : [];
  } catch {
    return [];
  }
}

export function buildSidecarListeners(snapshot: MeshSnapshot, key: SidecarLdsKey): Record<string, unknown>[] {
  const fallthrough = catchAllCluster(outboundPolicyOfScope(snapshot, key.egressScope));
  const plans = outboundListenerPlans(snapshot, key.egressScope, key.interception !== 'NONE');
  const l4 = { snapshot, view: { l4Namespace: key.l4Namespace, l4SourceMatches: key.l4SourceMatches } };
  const http = plans.flatMap((p) => (p.kind === 'http' ? [p] : [])).sort((a, b) => a.port - b.port || (a.address < b.address ? -1 : 1));
  const tcp = plans.flatMap((p) => (p.kind === 'tcp' ? [buildTcpListener(p, l4, fallthrough)] : []));
  // Without capture nothing is redirected to 15001; the outbound listeners bind instead.
  const virtualOutbound = key.interception === 'NONE' ? [] : [buildVirtualOutboundListener(fallthrough, key.interception)];
  return [...virtualOutbound, ...http.map((p) => buildHttpListener(p, fallthrough)), ...tcp, ...buildInboundListeners(parseInboundPorts(key.inbound), key.interception)];
}

/**
 * A sidecar's listeners: virtualOutbound, its outbound port listeners for
 * the services its Sidecar resource (if any) lets it see, and its inbound
 * listeners. The key holds what they depend on beyond the snapshot: the
 * egress scope (the Sidecar, which also sets the outbound traffic policy),
 * the inbound ports and their mutual TLS modes, the interception mode,
 * the proxy's view of VirtualService L4 routes, and where it gets the
 * certificate its mTLS chains present.
 */
import type { InterceptionMode, ProxyNode } from '../../../model/proxy.js';
import type { MeshSnapshot } from '../../../model/types.js';
import { securityFilters, securityKeyOf } from '../authz/security-filters.js';
import { egressScopeOf } from '../common/mesh-services.js';
import { workloadSecretSourceOf, type WorkloadSecretSource } from '../common/sds-config.js';
import { buildInboundListeners } from './build-inbound-listeners.js';
import { buildHttpListener, buildTcpListener } from './build-sidecar-outbound-listeners.js';
import { buildVirtualOutboundListener } from './build-virtual-outbound-listener.js';
import type { InboundTls } from './inbound-filter-chains.js';
import { inboundMtlsOf, NO_INBOUND_MTLS, type InboundMtls } from './inbound-mtls.js';
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
  /** The inbound chains' mutual TLS modes as JSON (InboundMtls), from the workload's PeerAuthentication. */
  readonly inboundMtls: string;
  readonly l4Namespace: string;
  readonly l4SourceMatches: readonly string[];
  /** The AuthorizationPolicies and RequestAuthentications that apply to the workload (securityKeyOf), in Istio's order. */
  readonly security: readonly string[];
  /** Where the inbound mTLS chains' certificate comes from (workloadSecretSourceOf). */
  readonly workloadSds: WorkloadSecretSource;
};

export function sidecarLdsKey(proxy: ProxyNode, snapshot: MeshSnapshot): SidecarLdsKey {
  const inboundPorts = inboundPortsOf(proxy, snapshot);
  return {
    kind: 'sidecar',
    egressScope: egressScopeOf(proxy, snapshot),
    interception: interceptionOf(proxy),
    inbound: JSON.stringify(inboundPorts.map(inboundChainPort)),
    inboundMtls: JSON.stringify(inboundMtlsOf(proxy, snapshot, inboundPorts)),
    ...l4RouteView(proxy, snapshot),
    security: securityKeyOf(proxy, snapshot),
    workloadSds: workloadSecretSourceOf(proxy),
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

/** Like parseInboundPorts: the key's own JSON, else the default (PERMISSIVE everywhere). */
function parseInboundMtls(text: string): InboundMtls {
  try {
    const parsed = JSON.parse(text) as Partial<InboundMtls> | null;
    return parsed && typeof parsed.ports === 'object' && Array.isArray(parsed.passthrough) ? (parsed as InboundMtls) : NO_INBOUND_MTLS;
  } catch {
    return NO_INBOUND_MTLS;
  }
}

/** Clients of this mesh's trust domain and its aliases may connect over mutual TLS (Istio's TrustDomainsForValidation). */
function inboundTls(snapshot: MeshSnapshot, workloadSds: WorkloadSecretSource): InboundTls {
  return {
    trustDomains: [snapshot.mesh.trustDomain, ...(snapshot.mesh.trustDomainAliases ?? [])],
    workloadSds,
    ...(snapshot.mesh.meshMTLS ? { meshMtls: snapshot.mesh.meshMTLS } : {}),
  };
}

export function buildSidecarListeners(snapshot: MeshSnapshot, key: SidecarLdsKey): Record<string, unknown>[] {
  const fallthrough = catchAllCluster(outboundPolicyOfScope(snapshot, key.egressScope));
  const plans = outboundListenerPlans(snapshot, key.egressScope, key.interception !== 'NONE');
  const l4 = { snapshot, view: { l4Namespace: key.l4Namespace, l4SourceMatches: key.l4SourceMatches } };
  const http = plans.flatMap((p) => (p.kind === 'http' ? [p] : [])).sort((a, b) => a.port - b.port || (a.address < b.address ? -1 : 1));
  const tcp = plans.flatMap((p) => (p.kind === 'tcp' ? [buildTcpListener(p, l4, fallthrough)] : []));
  // Without capture nothing is redirected to 15001; the outbound listeners bind instead.
  const virtualOutbound = key.interception === 'NONE' ? [] : [buildVirtualOutboundListener(fallthrough, key.interception)];
  return [...virtualOutbound, ...http.map((p) => buildHttpListener(p, fallthrough)), ...tcp, ...buildInboundListeners(parseInboundPorts(key.inbound), key.interception, parseInboundMtls(key.inboundMtls), inboundTls(snapshot, key.workloadSds), securityFilters(snapshot, key.security, false))];
}

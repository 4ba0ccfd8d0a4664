/**
 * The mutual TLS mode of each of a sidecar's inbound chains, from the
 * PeerAuthentication that applies to its workload (Istio's authn plugin
 * Builder.ForPort and ForPassthrough): every inbound port gets the mode of
 * its workload port, the catch-all passthrough chains the workload's
 * mode, and each port-level setting that no inbound port covers a set of
 * passthrough chains of its own, so the setting still applies to traffic
 * for that port.
 */
import type { ProxyNode } from '../../../model/proxy.js';
import { mutualTlsModeForPort, peerAuthenticationFor, type MutualTlsMode } from '../../../model/peer-authentication.js';
import type { MeshSnapshot } from '../../../model/types.js';
import { proxyServiceInstances } from '../common/proxy-service-instances.js';
import type { InboundPort } from './inbound-ports.js';

export interface PassthroughMtls {
  /** 0 for the catch-all chains. */
  readonly port: number;
  readonly mode: MutualTlsMode;
}

/** Plain JSON, so it can be part of a generator key. */
export interface InboundMtls {
  /** By inbound port number (as a string key). */
  readonly ports: Readonly<Record<string, MutualTlsMode>>;
  /** The catch-all first, then per-port ones by port. */
  readonly passthrough: readonly PassthroughMtls[];
}

/** The default when nothing applies: PERMISSIVE for the catch-all and no port of its own. */
export const NO_INBOUND_MTLS: InboundMtls = Object.freeze({ ports: {}, passthrough: [{ port: 0, mode: 'PERMISSIVE' as const }] });

/**
 * Istio's needPerPortPassthroughFilterChain: a port-level setting needs its
 * own passthrough chains unless the port already has chains: a Sidecar
 * ingress listener's port when the Sidecar declares any, else a port one of
 * the workload's services targets.
 */
function claimedPorts(proxy: ProxyNode, snapshot: MeshSnapshot): Set<number> {
  const sidecar = snapshot.indexes.sidecarFor(proxy.namespace, proxy.labels);
  const ingress = sidecar?.spec.ingress ?? [];
  if (ingress.length > 0) return new Set(ingress.flatMap((i) => (typeof i.port?.number === 'number' ? [i.port.number] : [])));
  return new Set(proxyServiceInstances(proxy, snapshot).map((i) => i.targetPort));
}

export function inboundMtlsOf(proxy: ProxyNode, snapshot: MeshSnapshot, ports: readonly InboundPort[]): InboundMtls {
  if (proxy.type !== 'sidecar') return NO_INBOUND_MTLS;
  const effective = peerAuthenticationFor(snapshot, proxy.namespace, proxy.labels);
  const byPort: Record<string, MutualTlsMode> = {};
  for (const port of ports) byPort[String(port.port)] = mutualTlsModeForPort(effective, port.port);
  const passthrough: PassthroughMtls[] = [{ port: 0, mode: mutualTlsModeForPort(effective, 0) }];
  if (effective.portLevel.size > 0) {
    const claimed = claimedPorts(proxy, snapshot);
    for (const [port, mode] of [...effective.portLevel].sort(([a], [b]) => a - b)) {
      if (!claimed.has(port)) passthrough.push({ port, mode });
    }
  }
  return { ports: byPort, passthrough };
}

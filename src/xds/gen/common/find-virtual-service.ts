/**
 * The VirtualService that routes a host for sidecars and proxyless clients
 * (the "mesh" gateway). Like Istio, one VirtualService owns a host: exact
 * hosts beat wildcards, and the first in snapshot order wins among equals.
 */
import type { IstioConfig, MeshSnapshot, VirtualServiceSpec } from '../../../model/types.js';
import { configHostMatches } from './host-match.js';

export const MESH_GATEWAY = 'mesh';

/** A VirtualService without gateways binds to the mesh; one listing gateways binds to the mesh only if "mesh" is among them. */
export function appliesToMesh(gateways: readonly string[] | undefined): boolean {
  return gateways === undefined || gateways.length === 0 || gateways.includes(MESH_GATEWAY);
}

export function findVirtualService(snapshot: MeshSnapshot, hostname: string): IstioConfig<VirtualServiceSpec> | undefined {
  let best: { vs: IstioConfig<VirtualServiceSpec>; specificity: number } | undefined;
  for (const vs of snapshot.virtualServices) {
    if (!appliesToMesh(vs.spec.gateways)) continue;
    for (const host of vs.spec.hosts) {
      if (host === hostname) return vs;
      if (!configHostMatches(host, hostname)) continue;
      if (!best || host.length > best.specificity) best = { vs, specificity: host.length };
    }
  }
  return best?.vs;
}

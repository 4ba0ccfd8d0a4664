/**
 * The VirtualService that routes a host for sidecars and proxyless clients
 * (the "mesh" gateway), as the snapshot's index answers it: one
 * VirtualService owns a host; the client's own namespace's come first, an
 * exact host beats a wildcard, and the oldest wins among equals.
 */
import { MESH_GATEWAY } from '../../../model/gateway-names.js';
import type { IstioConfig, MeshSnapshot, VirtualServiceSpec } from '../../../model/types.js';

export { MESH_GATEWAY };

/** A VirtualService without gateways binds to the mesh; one listing gateways binds to the mesh only if "mesh" is among them. */
export function appliesToMesh(gateways: readonly string[] | undefined): boolean {
  return gateways === undefined || gateways.length === 0 || gateways.includes(MESH_GATEWAY);
}

export function findVirtualService(snapshot: MeshSnapshot, proxyNamespace: string, hostname: string): IstioConfig<VirtualServiceSpec> | undefined {
  return snapshot.indexes.virtualServiceForHost(proxyNamespace, MESH_GATEWAY, hostname);
}

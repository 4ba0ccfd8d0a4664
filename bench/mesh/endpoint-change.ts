/**
 * One endpoint change, as a rollout would make it: either a new pod joins a
 * service (scale-up) or a pod is replaced by one with a new name and address
 * (restart). Both touch only Pods and the EndpointSlice, which tsiod
 * classifies as an endpoint-only change (an EDS push, not a full push).
 */
import { writeServiceFile, type PodAllocator } from './generate-mesh.js';
import { serviceHost, type BenchMesh, type BenchService } from './mesh-model.js';

export type EndpointChangeKind = 'add' | 'replace';

export interface EndpointChange {
  readonly service: BenchService;
  readonly host: string;
  readonly kind: EndpointChangeKind;
  readonly description: string;
}

/**
 * The service the n-th change edits: spread over the mesh with a stride
 * coprime to typical sizes, skipping none of the shapes (split, grpc, tcp).
 */
export function serviceForChange(mesh: BenchMesh, n: number): BenchService {
  const stride = 7919; // prime
  return mesh.services[(n * stride + 1) % mesh.services.length]!;
}

/** Edits the service in memory and rewrites its file; returns what was done. */
export function applyEndpointChange(mesh: BenchMesh, pods: PodAllocator, n: number): EndpointChange {
  const service = serviceForChange(mesh, n);
  const kind: EndpointChangeKind = n % 2 === 0 ? 'add' : 'replace';
  let description: string;
  if (kind === 'add') {
    const added = pods.pod(service.name, service.pods.length % 2 === 0 ? 'v1' : 'v2');
    service.pods = [...service.pods, added];
    description = `add ${added.name} ${added.ip}`;
  } else {
    const [old, ...rest] = service.pods;
    if (!old) throw new Error(`service ${service.name} has no pods to replace`);
    const replacement = pods.pod(service.name, old.version);
    service.pods = [replacement, ...rest];
    description = `replace ${old.name} ${old.ip} with ${replacement.name} ${replacement.ip}`;
  }
  writeServiceFile(service);
  return { service, host: serviceHost(service), kind, description };
}

/**
 * Which pod each simulated Envoy pretends to be. Clients take the mesh's pods
 * in order; when there are more clients than pods, later rounds reuse a pod's
 * namespace, labels and IP under a distinct pod name ("<pod>-r<round>"), so
 * node ids stay unique, as they are for real replicas.
 */
import type { BenchMesh } from '../mesh/mesh-model.js';
import { workloadName } from '../mesh/mesh-model.js';
import type { ClientMode, ClientSpec } from '../sim/ipc-protocol.js';

export type ModeMix = ClientMode | 'mixed';

export function clientSpecs(mesh: BenchMesh, count: number, mix: ModeMix): ClientSpec[] {
  const pods = mesh.services.flatMap((service) => service.pods.map((pod) => ({ service, pod })));
  if (pods.length === 0) throw new Error('the mesh has no pods to impersonate');
  return Array.from({ length: count }, (_, index) => {
    const { service, pod } = pods[index % pods.length]!;
    const round = Math.floor(index / pods.length);
    const mode: ClientMode = mix === 'mixed' ? (index % 2 === 0 ? 'sotw' : 'delta') : mix;
    return {
      index,
      mode,
      identity: {
        podName: round === 0 ? pod.name : `${pod.name}-r${round}`,
        namespace: service.namespace,
        ip: pod.ip,
        labels: { app: service.name, version: pod.version },
        serviceAccount: service.name,
        workloadName: workloadName(service, pod),
      },
    };
  });
}

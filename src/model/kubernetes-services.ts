/** Kubernetes Service → MeshService, as Istio's Kubernetes registry converts it. */
import type { ConfigObject } from '../config/config-object.js';
import { kubernetesServiceHostname } from './hostname.js';
import { specOf, type KubeServiceSpec } from './kube-objects.js';
import { servicePortProtocol } from '../config/protocol.js';
import type { MeshConfig, MeshService, ServicePort } from './types.js';

export const EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';

export function kubernetesMeshService(service: ConfigObject, mesh: MeshConfig): MeshService {
  const { name, namespace, labels, annotations } = service.metadata;
  const spec = specOf<KubeServiceSpec>(service);
  const ports: ServicePort[] = (spec.ports ?? []).map((port) => ({
    name: port.name ?? '',
    port: port.port,
    protocol: servicePortProtocol(port),
    ...(port.targetPort !== undefined ? { targetPort: port.targetPort } : {}),
  }));
  // A headless Service ("None") has no virtual IP to report.
  const clusterIP = spec.clusterIP && spec.clusterIP !== 'None' ? spec.clusterIP : undefined;
  return {
    hostname: kubernetesServiceHostname(name, namespace, mesh.domainSuffix),
    name,
    namespace,
    ports,
    ...(clusterIP !== undefined ? { clusterIP } : {}),
    labels,
    ...(spec.selector !== undefined ? { selector: spec.selector } : {}),
    origin: 'kubernetes',
    resolution: 'EDS',
    meshExternal: false,
    exportTo: exportToAnnotation(annotations) ?? ['*'],
  };
}

/** "a, b" → ['a', 'b']; absent or empty → undefined. */
export function exportToAnnotation(annotations: Readonly<Record<string, string>>): string[] | undefined {
  const value = annotations[EXPORT_TO_ANNOTATION];
  if (value === undefined) return undefined;
  const namespaces = value.split(',').map((s) => s.trim()).filter(Boolean);
  return namespaces.length > 0 ? namespaces : undefined;
}

/**
 * Endpoints a Kubernetes Service gets from WorkloadEntries (VMs and other
 * workloads outside Kubernetes), as Istio does when Kubernetes Services
 * select WorkloadEntries (PILOT_ENABLE_K8S_SELECT_WORKLOAD_ENTRIES, on by
 * default): a WorkloadEntry in the Service's namespace whose labels include
 * the Service's selector serves every port of it.
 *
 * The endpoint port follows the Service's targetPort: a named targetPort is
 * looked up in the entry's `ports` (no entry, no endpoint for that port); a
 * numeric one is used as is, unless the entry maps the Service port's name.
 */
import type { ConfigObject } from '../config/config-object.js';
import { parseLocality } from './locality.js';
import { specOf } from './kube-objects.js';
import type { MeshService, ServicePort, WorkloadEndpoint } from './types.js';

const TLS_MODE_LABEL = 'security.istio.io/tlsMode';

interface WorkloadEntrySpec {
  readonly address?: string;
  readonly ports?: Readonly<Record<string, number>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly weight?: number;
  readonly locality?: string;
  readonly serviceAccount?: string;
}

export function labelsSelect(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/**
 * The endpoints of one WorkloadEntry for the given ports, when its labels
 * carry every label of `selector`; `portOf` maps a service port to the
 * entry's port (undefined: no endpoint for that port).
 */
export function workloadEntryEndpoints(
  entry: ConfigObject,
  selector: Readonly<Record<string, string>>,
  ports: readonly ServicePort[],
  portOf: (servicePort: ServicePort, entryPorts: Readonly<Record<string, number>>) => number | undefined,
): WorkloadEndpoint[] {
  const spec = specOf<WorkloadEntrySpec>(entry);
  const labels = spec.labels ?? {};
  if (!spec.address || !labelsSelect(selector, labels)) return [];
  const locality = parseLocality(spec.locality);
  const tlsMode = labels[TLS_MODE_LABEL];
  const out: WorkloadEndpoint[] = [];
  for (const servicePort of ports) {
    const port = portOf(servicePort, spec.ports ?? {});
    if (port === undefined) continue;
    out.push({
      address: spec.address,
      port,
      servicePortName: servicePort.name,
      servicePort: servicePort.port,
      labels,
      ready: true,
      ...(locality ? { locality } : {}),
      ...(spec.serviceAccount ? { serviceAccount: spec.serviceAccount } : {}),
      ...(tlsMode ? { tlsMode } : {}),
      ...(spec.weight !== undefined && spec.weight > 0 ? { weight: spec.weight } : {}),
      workloadName: `workloadentry/${entry.metadata.namespace}/${entry.metadata.name}`,
    });
  }
  return out;
}

export function endpointsFromWorkloadEntries(service: MeshService, entries: readonly ConfigObject[]): WorkloadEndpoint[] {
  const selector = service.selector;
  // A Service without a selector has its endpoints managed by hand; Istio selects nothing for it.
  if (!selector || Object.keys(selector).length === 0) return [];
  return entries
    .filter((entry) => entry.metadata.namespace === service.namespace)
    .flatMap((entry) => workloadEntryEndpoints(entry, selector, service.ports, endpointPort));
}

function endpointPort(servicePort: ServicePort, ports: Readonly<Record<string, number>>): number | undefined {
  const target = servicePort.targetPort;
  if (typeof target === 'string') return ports[target];
  return ports[servicePort.name] ?? target ?? servicePort.port;
}

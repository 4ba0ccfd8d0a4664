/**
 * Builds the immutable MeshSnapshot from the current config objects. The
 * input is just objects, so the directory source and a Kubernetes source
 * feed it alike. Anything equal to its counterpart in the previous snapshot
 * is that counterpart, by reference: consumers compare by identity to find
 * what changed (classifyChange does).
 */
import type { ConfigObject } from '../config/config-object.js';
import { deepEqual } from '../config/deep-equal.js';
import { deepFreeze } from '../config/deep-freeze.js';
import { FrozenMap } from './frozen-map.js';
import { compareConfigs, destinationRuleConfig, virtualServiceConfig } from './istio-configs.js';
import { endpointsFromLegacy, endpointsFromSlices, groupSlicesByService } from './kubernetes-endpoints.js';
import { kubernetesMeshService } from './kubernetes-services.js';
import { PodIndex } from './pod-index.js';
import { serviceEntryHosts } from './service-entries.js';
import { endpointsFromWorkloadEntries, groupWorkloadEntriesByNamespace } from './workload-entries.js';
import type { DestinationRuleSpec, IstioConfig, MeshConfig, MeshService, MeshSnapshot, VirtualServiceSpec, WorkloadEndpoint } from './types.js';

export interface SnapshotInput {
  readonly mesh: MeshConfig;
  /** Every current, validated config object (e.g. ConfigStore.objects().values()), in any order. */
  readonly objects: Iterable<ConfigObject>;
}

export function buildSnapshot(input: SnapshotInput, previous?: MeshSnapshot): MeshSnapshot {
  const byKind = groupByKind(input.objects);
  const of = (kind: string): ConfigObject[] => byKind.get(kind) ?? [];
  const mesh = input.mesh;
  const pods = new PodIndex(of('Pod'));
  const slicesByService = groupSlicesByService(of('EndpointSlice'));
  const workloadEntries = groupWorkloadEntriesByNamespace(of('WorkloadEntry'));
  const legacyEndpoints = new Map(of('Endpoints').map((e) => [`${e.metadata.namespace}/${e.metadata.name}`, e]));

  const services = new Map<string, MeshService>();
  const endpoints = new Map<string, WorkloadEndpoint[]>();
  // Kubernetes Services first, then ServiceEntries in config order: the first definition of a host wins.
  for (const service of of('Service').sort(compareConfigs)) {
    const meshService = kubernetesMeshService(service, mesh);
    if (services.has(meshService.hostname)) continue;
    const key = `${service.metadata.namespace}/${service.metadata.name}`;
    const slices = slicesByService.get(key);
    const legacy = legacyEndpoints.get(key);
    const found = slices ? endpointsFromSlices(meshService, slices, pods) : legacy ? endpointsFromLegacy(meshService, legacy, pods) : [];
    const fromEntries = endpointsFromWorkloadEntries(meshService, workloadEntries.get(meshService.namespace) ?? []);
    services.set(meshService.hostname, meshService);
    endpoints.set(meshService.hostname, fromEntries.length > 0 ? [...found, ...fromEntries] : found);
  }
  for (const entry of of('ServiceEntry').sort(compareConfigs)) {
    for (const { service, endpoints: found } of serviceEntryHosts(entry)) {
      if (services.has(service.hostname)) continue;
      services.set(service.hostname, service);
      endpoints.set(service.hostname, found);
    }
  }

  const hosts = [...services.keys()].sort();
  const sortedServices = hosts.map((host) => [host, reuse(services.get(host) as MeshService, previous?.services.get(host))] as const);
  const sortedEndpoints = hosts.map(
    (host) => [host, reuse(sortEndpoints(dedupeEndpoints(endpoints.get(host) ?? [])), previous?.endpoints.get(host))] as const,
  );

  const previousVirtualServices = indexConfigs(previous?.virtualServices);
  const virtualServices = of('VirtualService')
    .sort(compareConfigs)
    .map((object) => reuseConfig(virtualServiceConfig(object, mesh.domainSuffix), previousVirtualServices.get(configId(object))));
  const previousDestinationRules = indexConfigs(previous?.destinationRules);
  const destinationRules = of('DestinationRule')
    .sort(compareConfigs)
    .map((object) => reuseConfig(destinationRuleConfig(object, mesh.domainSuffix), previousDestinationRules.get(configId(object))));

  return Object.freeze({
    id: (previous?.id ?? 0) + 1,
    mesh: previous && deepEqual(previous.mesh, mesh) ? previous.mesh : deepFreeze({ ...mesh }),
    services: new FrozenMap<string, MeshService>(sortedServices),
    endpoints: new FrozenMap<string, readonly WorkloadEndpoint[]>(sortedEndpoints),
    virtualServices: Object.freeze(virtualServices) as readonly IstioConfig<VirtualServiceSpec>[],
    destinationRules: Object.freeze(destinationRules) as readonly IstioConfig<DestinationRuleSpec>[],
  });
}

/** The previous value when equal (keeping identity), else the new one, frozen. */
/**
 * Like reuse(), but blind to where the object was read from: inserting a
 * document above a DestinationRule shifts its "file#index" without changing
 * anything a proxy sees, and must not turn an endpoint edit into a full
 * push. Likewise its resourceVersion, which the apiserver bumps on writes that
 * change nothing a proxy sees (status, managedFields). The reused object keeps
 * its old source and version, which only debug output reads.
 */
function reuseConfig<S>(next: IstioConfig<S>, previous: IstioConfig<S> | undefined): IstioConfig<S> {
  if (previous === undefined) return reuse(next, previous);
  const withoutSource = (c: IstioConfig<S>): unknown => ({ meta: { ...c.meta, source: undefined, resourceVersion: undefined }, spec: c.spec });
  return deepEqual(withoutSource(next), withoutSource(previous)) ? previous : reuse(next, undefined);
}

function reuse<T>(next: T, previous: T | undefined): T {
  if (previous !== undefined && deepEqual(next, previous)) return previous;
  return deepFreeze(next);
}

function groupByKind(objects: Iterable<ConfigObject>): Map<string, ConfigObject[]> {
  const out = new Map<string, ConfigObject[]>();
  for (const object of objects) {
    const list = out.get(object.kind) ?? [];
    list.push(object);
    out.set(object.kind, list);
  }
  return out;
}

function configId(object: ConfigObject): string {
  return `${object.metadata.namespace}/${object.metadata.name}`;
}

function indexConfigs<Spec>(configs: readonly IstioConfig<Spec>[] | undefined): Map<string, IstioConfig<Spec>> {
  return new Map((configs ?? []).map((c) => [`${c.meta.namespace}/${c.meta.name}`, c]));
}

/** Two slices may list the same address during a rollout; one endpoint per address, port and service port. */
function dedupeEndpoints(list: WorkloadEndpoint[]): WorkloadEndpoint[] {
  const seen = new Set<string>();
  return list.filter((e) => {
    const id = `${e.address}|${e.port}|${e.servicePort}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function sortEndpoints(list: WorkloadEndpoint[]): WorkloadEndpoint[] {
  return list.sort((a, b) => a.servicePort - b.servicePort || compareStrings(a.address, b.address) || a.port - b.port);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

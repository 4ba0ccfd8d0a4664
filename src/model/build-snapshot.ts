/**
 * Builds the immutable MeshSnapshot from the current config objects. The
 * input is just objects, so the directory source and a Kubernetes source
 * feed it alike. Anything equal to its counterpart in the previous snapshot
 * is that counterpart, by reference: consumers compare by identity to find
 * what changed (classifyChange does), and indexes are rebuilt only for the
 * lists that changed.
 *
 * Given the ChangeSet that led from the previous snapshot to this one, the
 * rebuild is incremental: kinds that did not change keep their previous
 * lists without being read, and an endpoint-only change recomputes the
 * endpoints of Kubernetes services in the namespaces it touched and nothing
 * else (Istio's EndpointIndex update, without a new PushContext). Without a
 * ChangeSet everything is recomputed; the result is the same (a test checks).
 */
import { kindOfKey, type ChangeSet } from '../config/change-set.js';
import type { ConfigObject } from '../config/config-object.js';
import { deepEqual } from '../config/deep-equal.js';
import { deepFreeze } from '../config/deep-freeze.js';
import { ENDPOINT_KINDS } from '../config/kinds.js';
import { groupObjectsByKind, type ObjectsByKind } from '../config/objects-by-kind.js';
import { FrozenEndpointIndex } from './endpoint-index.js';
import { FrozenMap } from './frozen-map.js';
import { buildGatewayCredentials } from './gateway-credentials.js';
import {
  compareConfigs,
  destinationRuleConfig,
  gatewayConfig,
  sidecarConfig,
  virtualServiceConfig,
  workloadPolicyConfig,
} from './istio-configs.js';
import { endpointsFromLegacy, endpointsFromSlices, groupSlicesByService } from './kubernetes-endpoints.js';
import { kubernetesMeshService } from './kubernetes-services.js';
import { contentOf, type KubePodContent } from './kube-objects.js';
import { NodeIndex } from './node-index.js';
import { PodIndex } from './pod-index.js';
import { reselectedServiceEntryEndpoints, serviceEntryHosts, workloadsIn } from './service-entries.js';
import { buildSnapshotIndexes } from './snapshot-indexes.js';
import { endpointsFromWorkloadEntries } from './workload-entries.js';
import type { ConfigLists, IstioConfig, MeshConfig, MeshService, MeshSnapshot, WorkloadEndpoint } from './types.js';

export interface SnapshotInput {
  readonly mesh: MeshConfig;
  /** Every current, validated config object: the store's byKind() view, or a plain list (tests, offline tools). */
  readonly objects: ObjectsByKind | Iterable<ConfigObject>;
}

/** Kinds that define services (and so every endpoint list). */
const SERVICE_KINDS: ReadonlySet<string> = new Set(['Service', 'ServiceEntry']);

export function buildSnapshot(input: SnapshotInput, previous?: MeshSnapshot, changes?: ChangeSet): MeshSnapshot {
  const objects = isObjectsByKind(input.objects) ? input.objects : groupObjectsByKind(input.objects);
  const mesh = previous && deepEqual(previous.mesh, input.mesh) ? previous.mesh : deepFreeze({ ...input.mesh });
  // A new mesh config (domain suffix, root namespace) can change any derived value: no shortcuts.
  const incremental = previous !== undefined && changes !== undefined && previous.mesh === mesh ? changes : undefined;
  const changedKeysOf = (kind: string): ReadonlySet<string> | undefined => (incremental ? keysOfKind(incremental, kind) : undefined);
  const dirty = (kind: string): boolean => incremental === undefined || incremental.kinds.has(kind);

  const { services, endpoints } = buildServicesAndEndpoints(objects, mesh, previous, incremental);

  const list = <S>(kind: string, convert: (o: ConfigObject) => IstioConfig<S>, before: readonly IstioConfig<S>[] | undefined): readonly IstioConfig<S>[] =>
    before && !dirty(kind) ? before : buildConfigList(objects.ofKind(kind), convert, before, changedKeysOf(kind));
  const suffix = mesh.domainSuffix;
  const configs: ConfigLists = {
    virtualServices: list('VirtualService', (o) => virtualServiceConfig(o, suffix), previous?.virtualServices),
    destinationRules: list('DestinationRule', (o) => destinationRuleConfig(o, suffix), previous?.destinationRules),
    gateways: list('Gateway', gatewayConfig, previous?.gateways),
    sidecars: list('Sidecar', sidecarConfig, previous?.sidecars),
    peerAuthentications: list('PeerAuthentication', workloadPolicyConfig, previous?.peerAuthentications),
    authorizationPolicies: list('AuthorizationPolicy', workloadPolicyConfig, previous?.authorizationPolicies),
    requestAuthentications: list('RequestAuthentication', workloadPolicyConfig, previous?.requestAuthentications),
  };
  const indexes = buildSnapshotIndexes({ rootNamespace: mesh.rootNamespace, services, ...configs }, previous?.indexes);
  const gatewayCredentials =
    previous && !dirty('Secret') ? previous.gatewayCredentials : buildGatewayCredentials(objects.ofKind('Secret'), previous?.gatewayCredentials);
  return Object.freeze({ id: (previous?.id ?? 0) + 1, mesh, services, endpoints, ...configs, indexes, gatewayCredentials });
}

interface ServicesAndEndpoints {
  readonly services: ReadonlyMap<string, MeshService>;
  readonly endpoints: FrozenEndpointIndex;
}

function buildServicesAndEndpoints(
  objects: ObjectsByKind,
  mesh: MeshConfig,
  previous: MeshSnapshot | undefined,
  changes: ChangeSet | undefined,
): ServicesAndEndpoints {
  const previousEndpoints = previous?.endpoints instanceof FrozenEndpointIndex ? previous.endpoints : undefined;
  if (previous && previousEndpoints && changes && ![...SERVICE_KINDS].some((k) => changes.kinds.has(k))) {
    const namespaces = endpointNamespaces(changes, objects);
    if (namespaces.size === 0) return { services: previous.services, endpoints: previousEndpoints };
    const next = new Map(previousEndpoints.entries());
    const nodes = new NodeIndex(objects.ofKind('Node'));
    for (const namespace of namespaces) {
      const computer = new NamespaceEndpoints(objects, namespace, nodes);
      for (const service of previous.indexes.servicesByNamespace.get(namespace) ?? []) {
        if (service.origin === 'kubernetes') next.set(service.hostname, computer.endpointsOf(service));
      }
      // ServiceEntries with a workloadSelector take their endpoints from the namespace's Pods and WorkloadEntries too.
      for (const [host, found] of reselectedServiceEntryEndpoints(objects, namespace, previous.services, compareConfigs, nodes)) next.set(host, found);
    }
    return { services: previous.services, endpoints: endpointIndex(next, previousEndpoints) };
  }

  const services = new Map<string, MeshService>();
  const endpoints = new Map<string, readonly WorkloadEndpoint[]>();
  const perNamespace = new Map<string, NamespaceEndpoints>();
  const nodes = new NodeIndex(objects.ofKind('Node'));
  // Kubernetes Services first, then ServiceEntries in config order: the first definition of a host wins.
  for (const object of [...objects.ofKind('Service')].sort(compareConfigs)) {
    const service = kubernetesMeshService(object, mesh);
    if (services.has(service.hostname)) continue;
    let computer = perNamespace.get(service.namespace);
    if (!computer) perNamespace.set(service.namespace, (computer = new NamespaceEndpoints(objects, service.namespace, nodes)));
    services.set(service.hostname, service);
    endpoints.set(service.hostname, computer.endpointsOf(service));
  }
  for (const entry of [...objects.ofKind('ServiceEntry')].sort(compareConfigs)) {
    for (const { service, endpoints: found } of serviceEntryHosts(entry, workloadsIn(objects, nodes))) {
      if (services.has(service.hostname)) continue;
      services.set(service.hostname, service);
      endpoints.set(service.hostname, found);
    }
  }
  const hosts = [...services.keys()].sort();
  const sortedServices = hosts.map((host) => [host, reuse(services.get(host) as MeshService, previous?.services.get(host))] as const);
  const serviceMap =
    previous && sameEntries(sortedServices, previous.services) ? previous.services : new FrozenMap<string, MeshService>(sortedServices);
  return { services: serviceMap, endpoints: endpointIndex(new Map(hosts.map((h) => [h, endpoints.get(h) ?? []])), previousEndpoints) };
}

/** The endpoints of Kubernetes services in one namespace, from that namespace's EndpointSlices, Endpoints, Pods and WorkloadEntries (and the Pods' Nodes, for locality). */
class NamespaceEndpoints {
  private readonly pods: PodIndex;
  private readonly slicesByService: Map<string, ConfigObject[]>;
  private readonly legacy: Map<string, ConfigObject>;
  private readonly workloadEntries: readonly ConfigObject[];

  constructor(
    objects: ObjectsByKind,
    private readonly namespace: string,
    private readonly nodes: NodeIndex,
  ) {
    this.pods = new PodIndex(objects.ofKindInNamespace('Pod', namespace));
    this.slicesByService = groupSlicesByService(objects.ofKindInNamespace('EndpointSlice', namespace));
    this.legacy = new Map([...objects.ofKindInNamespace('Endpoints', namespace)].map((e) => [`${namespace}/${e.metadata.name}`, e]));
    this.workloadEntries = [...objects.ofKindInNamespace('WorkloadEntry', namespace)];
  }

  endpointsOf(service: MeshService): readonly WorkloadEndpoint[] {
    const key = `${this.namespace}/${service.name}`;
    const slices = this.slicesByService.get(key);
    const legacy = this.legacy.get(key);
    const found = slices ? endpointsFromSlices(service, slices, this.pods, this.nodes) : legacy ? endpointsFromLegacy(service, legacy, this.pods, this.nodes) : [];
    const fromEntries = endpointsFromWorkloadEntries(service, this.workloadEntries);
    return fromEntries.length > 0 ? [...found, ...fromEntries] : found;
  }
}

/** Sorted, de-duplicated, frozen lists; each equal to its previous version is that version; all equal is the previous index. */
function endpointIndex(byHost: ReadonlyMap<string, readonly WorkloadEndpoint[]>, previous: FrozenEndpointIndex | undefined): FrozenEndpointIndex {
  const hosts = [...byHost.keys()].sort();
  const entries = hosts.map((host) => {
    const list = byHost.get(host) as readonly WorkloadEndpoint[];
    const before = previous?.get(host);
    if (before === list) return [host, list] as const;
    return [host, reuse(sortEndpoints(dedupeEndpoints(list)), before)] as const;
  });
  if (previous && previous.size === entries.length && entries.every(([host, list]) => previous.get(host) === list)) return previous;
  return new FrozenEndpointIndex(entries);
}

function buildConfigList<S>(
  objects: Iterable<ConfigObject>,
  convert: (object: ConfigObject) => IstioConfig<S>,
  previous: readonly IstioConfig<S>[] | undefined,
  changedKeys: ReadonlySet<string> | undefined,
): readonly IstioConfig<S>[] {
  const before = new Map((previous ?? []).map((c) => [`${c.meta.namespace}/${c.meta.name}`, c]));
  const out = [...objects].sort(compareConfigs).map((object) => {
    const old = before.get(`${object.metadata.namespace}/${object.metadata.name}`);
    if (old && changedKeys && !changedKeys.has(`${object.kind}/${object.metadata.namespace}/${object.metadata.name}`)) return old;
    return reuseConfig(convert(object), old);
  });
  if (previous && previous.length === out.length && out.every((c, i) => previous[i] === c)) return previous;
  return Object.freeze(out);
}

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

/** The previous value when equal (keeping identity), else the new one, frozen. */
function reuse<T>(next: T, previous: T | undefined): T {
  if (previous !== undefined && deepEqual(next, previous)) return previous;
  return deepFreeze(next);
}

function isObjectsByKind(objects: ObjectsByKind | Iterable<ConfigObject>): objects is ObjectsByKind {
  return typeof (objects as Partial<ObjectsByKind>).ofKind === 'function';
}

function keysOfKind(changes: ChangeSet, kind: string): Set<string> {
  const out = new Set<string>();
  for (const set of [changes.added, changes.updated, changes.removed]) for (const key of set) if (kindOfKey(key) === kind) out.add(key);
  return out;
}

/**
 * Namespaces of changed endpoint-kind objects ("Kind/namespace/name"). A
 * Node is cluster-scoped ("Node//name"): its labels are the locality of the
 * Pods scheduled on it, so it dirties the namespaces of those Pods.
 */
function endpointNamespaces(changes: ChangeSet, objects: ObjectsByKind): Set<string> {
  const out = new Set<string>();
  const nodeNames = new Set<string>();
  for (const set of [changes.added, changes.updated, changes.removed]) {
    for (const key of set) {
      const kind = kindOfKey(key);
      if (!ENDPOINT_KINDS.has(kind)) continue;
      const [, namespace = '', name = ''] = key.split('/');
      if (kind === 'Node') nodeNames.add(name);
      else out.add(namespace);
    }
  }
  if (nodeNames.size > 0) {
    for (const pod of objects.ofKind('Pod')) {
      const nodeName = contentOf<KubePodContent>(pod).spec?.nodeName;
      if (nodeName !== undefined && nodeNames.has(nodeName)) out.add(pod.metadata.namespace);
    }
  }
  return out;
}

function sameEntries<V>(entries: readonly (readonly [string, V])[], map: ReadonlyMap<string, V>): boolean {
  return entries.length === map.size && entries.every(([key, value]) => map.get(key) === value);
}

/** Two slices may list the same address during a rollout; one endpoint per address, port and service port. */
function dedupeEndpoints(list: readonly WorkloadEndpoint[]): WorkloadEndpoint[] {
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

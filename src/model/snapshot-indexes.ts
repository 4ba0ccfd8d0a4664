/**
 * Builds the snapshot's indexes from its lists. Each index depends on one
 * list (plus the root namespace), so an incremental rebuild reuses every
 * index whose list is the same object as before.
 */
import { DestinationRuleIndex } from './destination-rule-index.js';
import { VirtualServiceIndex } from './virtual-service-index.js';
import { GatewayIndex, SidecarIndex, WorkloadPolicyIndex } from './workload-config-index.js';
import { FrozenMap } from './frozen-map.js';
import { servicesInSidecarScope } from './sidecar-scope.js';
import type { ConfigLists, IstioConfig, MeshService, PolicyKind, SnapshotIndexes, WorkloadPolicySpec } from './types.js';

/** The lists an index set is built from: the snapshot's own fields. */
export interface IndexedLists extends ConfigLists {
  readonly rootNamespace: string;
  readonly services: ReadonlyMap<string, MeshService>;
}

interface IndexParts {
  readonly servicesByNamespace: ReadonlyMap<string, readonly MeshService[]>;
  readonly virtualServices: VirtualServiceIndex;
  readonly destinationRules: DestinationRuleIndex;
  readonly sidecars: SidecarIndex;
  readonly gateways: GatewayIndex;
  readonly policies: Readonly<Record<PolicyKind, WorkloadPolicyIndex>>;
}

class BuiltIndexes implements SnapshotIndexes {
  /** Services per scope label, computed on first use (one list per Sidecar that any proxy uses). */
  private readonly scopes = new Map<string, readonly MeshService[]>();

  constructor(
    readonly lists: IndexedLists,
    readonly parts: IndexParts,
  ) {
    Object.freeze(this);
  }

  get servicesByNamespace(): ReadonlyMap<string, readonly MeshService[]> {
    return this.parts.servicesByNamespace;
  }

  virtualServicesForGateway(proxyNamespace: string, gateway: string): ReturnType<SnapshotIndexes['virtualServicesForGateway']> {
    return this.parts.virtualServices.forGateway(proxyNamespace, gateway);
  }

  virtualServiceForHost(proxyNamespace: string, gateway: string, hostname: string): ReturnType<SnapshotIndexes['virtualServiceForHost']> {
    return this.parts.virtualServices.forHost(proxyNamespace, gateway, hostname);
  }

  destinationRuleFor(
    proxyNamespace: string,
    hostname: string,
    serviceNamespace?: string,
    proxyLabels?: Readonly<Record<string, string>>,
  ): ReturnType<SnapshotIndexes['destinationRuleFor']> {
    return this.parts.destinationRules.forService(proxyNamespace, hostname, serviceNamespace, proxyLabels);
  }

  destinationRuleView(namespace: string, labels?: Readonly<Record<string, string>>): string {
    return this.parts.destinationRules.viewOf(namespace, labels);
  }

  sidecarScope(namespace: string, labels: Readonly<Record<string, string>>): string {
    const sidecar = this.parts.sidecars.forWorkload(namespace, labels);
    return sidecar ? `${sidecar.meta.namespace}/${sidecar.meta.name}` : '';
  }

  servicesInScope(scope: string): readonly MeshService[] {
    let found = this.scopes.get(scope);
    if (!found) {
      const all = this.allServices();
      const slash = scope.indexOf('/');
      const sidecar = scope === '' ? undefined : this.lists.sidecars.find((s) => s.meta.namespace === scope.slice(0, slash) && s.meta.name === scope.slice(slash + 1));
      found = sidecar ? servicesInSidecarScope(sidecar, all) : all;
      this.scopes.set(scope, found);
    }
    return found;
  }

  private allServices(): readonly MeshService[] {
    let all = this.scopes.get('');
    if (!all) {
      all = Object.freeze([...this.lists.services.values()].sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0)));
      this.scopes.set('', all);
    }
    return all;
  }

  sidecarFor(namespace: string, labels: Readonly<Record<string, string>>): ReturnType<SnapshotIndexes['sidecarFor']> {
    return this.parts.sidecars.forWorkload(namespace, labels);
  }

  gatewaysFor(labels: Readonly<Record<string, string>>): ReturnType<SnapshotIndexes['gatewaysFor']> {
    return this.parts.gateways.forWorkload(labels);
  }

  policiesFor(kind: PolicyKind, namespace: string, labels: Readonly<Record<string, string>>): ReturnType<SnapshotIndexes['policiesFor']> {
    return this.parts.policies[kind].forWorkload(namespace, labels);
  }
}

/** New indexes for `lists`, reusing each part of `previous` whose input list (and root namespace, where it matters) is unchanged. */
export function buildSnapshotIndexes(lists: IndexedLists, previous?: SnapshotIndexes): SnapshotIndexes {
  const old = previous instanceof BuiltIndexes ? previous : undefined;
  const root = lists.rootNamespace;
  const sameRoot = old?.lists.rootNamespace === root;
  const same = <T>(pick: (l: IndexedLists) => T): boolean => old !== undefined && pick(old.lists) === pick(lists);
  const policy = (kind: PolicyKind, pick: (l: IndexedLists) => readonly IstioConfig<WorkloadPolicySpec>[]): WorkloadPolicyIndex =>
    old && sameRoot && same(pick) ? old.parts.policies[kind] : new WorkloadPolicyIndex(pick(lists), root);
  return new BuiltIndexes(
    lists,
    Object.freeze({
      servicesByNamespace: old && same((l) => l.services) ? old.parts.servicesByNamespace : groupServicesByNamespace(lists.services),
      virtualServices: old && same((l) => l.virtualServices) ? old.parts.virtualServices : new VirtualServiceIndex(lists.virtualServices),
      // Which namespaces see their own rules depends on where each rule's service lives, hence the services too.
      destinationRules:
        old && sameRoot && same((l) => l.destinationRules) && same((l) => l.services)
          ? old.parts.destinationRules
          : new DestinationRuleIndex(lists.destinationRules, root, (host) => lists.services.get(host)?.namespace),
      sidecars: old && sameRoot && same((l) => l.sidecars) ? old.parts.sidecars : new SidecarIndex(lists.sidecars, root),
      gateways: old && same((l) => l.gateways) ? old.parts.gateways : new GatewayIndex(lists.gateways),
      policies: Object.freeze({
        PeerAuthentication: policy('PeerAuthentication', (l) => l.peerAuthentications),
        AuthorizationPolicy: policy('AuthorizationPolicy', (l) => l.authorizationPolicies),
        RequestAuthentication: policy('RequestAuthentication', (l) => l.requestAuthentications),
      }),
    }),
  );
}

function groupServicesByNamespace(services: ReadonlyMap<string, MeshService>): ReadonlyMap<string, readonly MeshService[]> {
  const out = new Map<string, MeshService[]>();
  for (const service of services.values()) {
    const list = out.get(service.namespace);
    if (list) list.push(service);
    else out.set(service.namespace, [service]);
  }
  return new FrozenMap([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([ns, list]) => [ns, Object.freeze(list)] as const));
}

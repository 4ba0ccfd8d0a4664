/**
 * CDS. Envoy proxies (sidecars and gateways) get every outbound cluster plus
 * the BlackHole and Passthrough clusters; proxyless gRPC gets EDS clusters
 * only. Subsets come from the DestinationRule the client's namespace sees
 * (Istio's namespace precedence), hence that view in the key; namespaces
 * that see only public rules share one.
 */
import type { MeshService, MeshSnapshot } from '../../../model/types.js';
import { ClusterType } from '../../proto/type-urls.js';
import type { GeneratedResource, ResourceGenerator } from '../generator.js';
import { parseClusterName } from '../common/cluster-names.js';
import { localityClientKey, localityClientOf } from '../common/locality-client-key.js';
import { egressScopeOf, scopedServices } from '../common/mesh-services.js';
import { clientKindOf, type ClientKind } from '../common/proxy-kind.js';
import { workloadSecretSourceOf, type WorkloadSecretSource } from '../common/sds-config.js';
import { buildBlackHoleCluster, buildPassthroughCluster } from './build-fallback-clusters.js';
import { buildInboundClusters, inboundClusterKey } from './build-inbound-clusters.js';
import { buildOutboundClusters } from './build-outbound-clusters.js';
import { buildProxylessClusters } from './build-proxyless-clusters.js';
import { mayReadCredentials } from './traffic-policy/credential-access.js';

export type CdsKey = {
  readonly kind: ClientKind;
  readonly destinationRuleView: string;
  readonly egressScope: string;
  /** Gateways may originate TLS with credentialName Secrets (Istio refuses sidecars); false while no rule names one. */
  readonly mayReadCredentials: boolean;
  /** The client's locality (and failoverPriority labels) when some DestinationRule orders a DNS cluster's endpoints by them, else "". */
  readonly localityClient: string;
  /** What a sidecar's inbound clusters depend on ("" for gateways and proxyless clients). */
  readonly inbound: string;
  /** Where an Envoy gets its certificate for mutual TLS upstream (workloadSecretSourceOf); one value for proxyless clients, whose clusters name no SDS secrets. */
  readonly workloadSds: WorkloadSecretSource;
};

/** With names, only services those names can refer to are built: gRPC asks for a handful of clusters at a time. */
function servicesToBuild(snapshot: MeshSnapshot, scope: string, names: ReadonlySet<string> | undefined): readonly MeshService[] {
  const inScope = scopedServices(snapshot, scope);
  if (!names) return inScope;
  const visible = scope === '' ? undefined : new Set(inScope.map((s) => s.hostname));
  const hosts = new Set<string>();
  for (const name of names) {
    const parts = parseClusterName(name);
    if (parts) hosts.add(parts.hostname);
  }
  return [...hosts].sort().flatMap((host) => {
    const service = snapshot.services.get(host);
    return service && (!visible || visible.has(host)) ? [service] : [];
  });
}

function toResources(clusters: readonly Record<string, unknown>[], names: ReadonlySet<string> | undefined): GeneratedResource[] {
  const out: GeneratedResource[] = [];
  for (const cluster of clusters) {
    const name = cluster['name'] as string;
    if (!names || names.has(name)) out.push({ name, resource: cluster });
  }
  return out;
}

export const cdsGenerator: ResourceGenerator<CdsKey> = {
  typeUrl: ClusterType,
  keyOf: (proxy, snapshot) => ({
    kind: clientKindOf(proxy),
    destinationRuleView: snapshot.indexes.destinationRuleView(proxy.namespace, proxy.labels),
    egressScope: egressScopeOf(proxy, snapshot),
    mayReadCredentials: mayReadCredentials(proxy, snapshot),
    // Locality shapes only endpoints written into clusters: those of DNS clusters, which proxyless clients never get.
    localityClient: proxy.type === 'proxyless' ? '' : localityClientKey(proxy, snapshot, 'inline'),
    inbound: proxy.type === 'sidecar' ? inboundClusterKey(proxy, snapshot) : '',
    workloadSds: proxy.type === 'proxyless' ? 'ads' : workloadSecretSourceOf(proxy),
  }),
  generate(snapshot: MeshSnapshot, key: CdsKey, names?: ReadonlySet<string>): GeneratedResource[] {
    const services = servicesToBuild(snapshot, key.egressScope, names);
    if (key.kind === 'proxyless') {
      return toResources(services.flatMap((service) => buildProxylessClusters(snapshot, key.destinationRuleView, service)), names);
    }
    const client = {
      destinationRuleView: key.destinationRuleView,
      mayReadCredentials: key.mayReadCredentials,
      locality: localityClientOf(key.localityClient),
      workloadSds: key.workloadSds,
    };
    const clusters = services.flatMap((service) => buildOutboundClusters(snapshot, client, service));
    clusters.push(...buildInboundClusters(snapshot, key.inbound), buildBlackHoleCluster(snapshot.mesh), buildPassthroughCluster(snapshot.mesh));
    return toResources(clusters, names);
  },
};

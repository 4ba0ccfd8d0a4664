/**
 * Envoy's outbound clusters for one service port: the default cluster and
 * one per DestinationRule subset. The cluster type follows the service's
 * resolution the way Istio maps it; the traffic policy the client's view of
 * the DestinationRule gives each cluster is applied on top, and where it
 * sets no TLS, auto mTLS as the destination's PeerAuthentication allows.
 */
import type { MeshService, MeshSnapshot, ServicePort, ServiceResolution, TrafficPolicy } from '../../../model/types.js';
import { outboundClusterName } from '../common/cluster-names.js';
import { trafficPolicyForCluster } from '../common/cluster-traffic-policy.js';
import { findDestinationRule } from '../common/find-destination-rule.js';
import { groupByLocality, serializeLocalityGroups } from '../common/locality-lb-endpoints.js';
import { applyLocalityLoadBalancing, type LocalityClient } from '../common/locality-load-balancing.js';
import { isHttp2Port, isHttpPort } from '../common/mesh-services.js';
import { serviceIdentities } from '../common/service-identities.js';
import { usesAutoMtls } from '../common/service-mtls-mode.js';
import { subsetsFor } from '../common/subsets.js';
import { connectTimeout, outboundAltStatName } from './cluster-defaults.js';
import { inlineEndpoints } from './inline-endpoints.js';
import { applyTrafficPolicy } from './traffic-policy/apply-traffic-policy.js';
import { finishCluster, useHttp2, type ClusterDraft } from './traffic-policy/cluster-draft.js';
import type { WorkloadSecretSource } from '../common/sds-config.js';

type EnvoyClusterType = 'EDS' | 'STRICT_DNS' | 'LOGICAL_DNS' | 'ORIGINAL_DST';

/**
 * Istio's convertResolution: a STATIC ServiceEntry is client-side load
 * balanced like a Kubernetes Service, its addresses served over EDS.
 */
const CLUSTER_TYPE: Readonly<Record<ServiceResolution, EnvoyClusterType>> = {
  EDS: 'EDS',
  STATIC: 'EDS',
  DNS: 'STRICT_DNS',
  DNS_ROUND_ROBIN: 'LOGICAL_DNS',
  NONE: 'ORIGINAL_DST',
};

/** What the client contributes to its outbound clusters, from the CDS key. */
export interface OutboundClient {
  readonly destinationRuleView: string;
  /** Gateways may read credentialName Secrets for TLS origination; sidecars may not. */
  readonly mayReadCredentials: boolean;
  /** Where the client is, for the endpoints written into DNS clusters. */
  readonly locality: LocalityClient;
  /** Where the client gets its own certificate, for mutual TLS to the service. */
  readonly workloadSds: WorkloadSecretSource;
}

/** Istio's SNI for ISTIO_MUTUAL (model.BuildDNSSrvSubsetKey). */
export function istioMtlsSni(hostname: string, port: number, subset: string): string {
  return `outbound_.${port}_.${subset}_.${hostname}`;
}

interface ClusterSpec {
  readonly service: MeshService;
  readonly port: ServicePort;
  readonly subset: string;
  readonly subsetLabels: Readonly<Record<string, string>> | undefined;
  readonly policy: TrafficPolicy | undefined;
  /** What Istio reads auto mTLS's PASSTHROUGH from: the rule's top-level policy, or a subset's own (not the merged one). */
  readonly inferencePolicy: TrafficPolicy | undefined;
}

function loadAssignment(snapshot: MeshSnapshot, spec: ClusterSpec, name: string, type: EnvoyClusterType, client: LocalityClient): Record<string, unknown> | undefined {
  let endpoints = inlineEndpoints(snapshot, spec.service, spec.port, spec.subsetLabels);
  // Istio drops DNS clusters with nothing to connect to rather than send an unusable cluster.
  if (endpoints.length === 0) return undefined;
  // Envoy rejects a LOGICAL_DNS cluster with more than one endpoint.
  if (type === 'LOGICAL_DNS') endpoints = endpoints.slice(0, 1);
  const groups = applyLocalityLoadBalancing(groupByLocality(endpoints), spec.policy, client, snapshot.mesh.localityLbSetting);
  return { clusterName: name, endpoints: serializeLocalityGroups(groups, 'istio') };
}

function buildCluster(snapshot: MeshSnapshot, spec: ClusterSpec, client: OutboundClient): Record<string, unknown> | undefined {
  const { service, port, subset, policy } = spec;
  const name = outboundClusterName(service.hostname, port.port, subset);
  // A PASSTHROUGH subset is an ORIGINAL_DST cluster from the start: it needs no endpoints (Istio's buildSubsetCluster).
  const passthroughSubset = subset !== '' && policy?.loadBalancer?.simple === 'PASSTHROUGH';
  const type = passthroughSubset ? 'ORIGINAL_DST' : CLUSTER_TYPE[service.resolution];
  const cluster: Record<string, unknown> = {
    name,
    type,
    connectTimeout: connectTimeout(snapshot.mesh),
    lbPolicy: type === 'ORIGINAL_DST' ? 'CLUSTER_PROVIDED' : 'ROUND_ROBIN',
  };
  const statPattern = snapshot.mesh.outboundClusterStatName;
  if (statPattern) cluster['altStatName'] = outboundAltStatName(statPattern, service, port, subset);
  if (type === 'STRICT_DNS' || type === 'LOGICAL_DNS') {
    const assignment = loadAssignment(snapshot, spec, name, type, client.locality);
    if (!assignment) return undefined;
    cluster['loadAssignment'] = assignment;
  }
  if (type === 'STRICT_DNS' || type === 'LOGICAL_DNS') {
    // Istio's choice for IPv4 proxies without dual stack; see the report's known gaps for IPv6.
    cluster['dnsLookupFamily'] = 'V4_ONLY';
    cluster['respectDnsTtl'] = true;
  }
  const draft: ClusterDraft = { cluster };
  if (isHttp2Port(port)) useHttp2(draft);
  applyTrafficPolicy(draft, policy, {
    istioMtlsSni: istioMtlsSni(service.hostname, port.port, subset),
    serviceIdentities: () => serviceIdentities(snapshot, service),
    mayReadCredentials: client.mayReadCredentials,
    workloadSds: client.workloadSds,
    autoMtls: usesAutoMtls(snapshot, service, port, spec.inferencePolicy),
  }, { mesh: snapshot.mesh, httpPort: isHttpPort(port) });
  return finishCluster(draft);
}

export function buildOutboundClusters(snapshot: MeshSnapshot, client: OutboundClient, service: MeshService): Record<string, unknown>[] {
  const view = client.destinationRuleView;
  const subsets = subsetsFor(snapshot, view, service.hostname);
  const rulePolicy = findDestinationRule(snapshot, view, service.hostname)?.spec.trafficPolicy;
  const out: Record<string, unknown>[] = [];
  for (const port of service.ports) {
    const policyOf = (subset: string): TrafficPolicy | undefined => trafficPolicyForCluster(snapshot, view, service.hostname, port.port, subset);
    const main = buildCluster(snapshot, { service, port, subset: '', subsetLabels: undefined, policy: policyOf(''), inferencePolicy: rulePolicy }, client);
    if (main) out.push(main);
    for (const subset of subsets) {
      const cluster = buildCluster(
        snapshot,
        { service, port, subset: subset.name, subsetLabels: subset.labels ?? {}, policy: policyOf(subset.name), inferencePolicy: subset.trafficPolicy },
        client,
      );
      if (cluster) out.push(cluster);
    }
  }
  return out;
}

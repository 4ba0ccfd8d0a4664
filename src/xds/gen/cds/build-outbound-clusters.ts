/**
 * Envoy's outbound clusters for one service port: the default cluster and
 * one per DestinationRule subset. The cluster type follows the service's
 * resolution the way Istio maps it.
 */
import type { MeshService, MeshSnapshot, ServicePort, ServiceResolution } from '../../../model/types.js';
import { outboundClusterName } from '../common/cluster-names.js';
import { buildLocalityLbEndpoints } from '../common/locality-lb-endpoints.js';
import { isHttp2Port } from '../common/mesh-services.js';
import { subsetsFor } from '../common/subsets.js';
import { connectTimeout, edsClusterConfig, http2ProtocolOptions } from './cluster-defaults.js';
import { inlineEndpoints } from './inline-endpoints.js';

type EnvoyClusterType = 'EDS' | 'STATIC' | 'STRICT_DNS' | 'LOGICAL_DNS' | 'ORIGINAL_DST';

const CLUSTER_TYPE: Readonly<Record<ServiceResolution, EnvoyClusterType>> = {
  EDS: 'EDS',
  STATIC: 'STATIC',
  DNS: 'STRICT_DNS',
  DNS_ROUND_ROBIN: 'LOGICAL_DNS',
  NONE: 'ORIGINAL_DST',
};

function buildCluster(
  snapshot: MeshSnapshot,
  service: MeshService,
  port: ServicePort,
  name: string,
  subsetLabels: Readonly<Record<string, string>> | undefined,
): Record<string, unknown> | undefined {
  const type = CLUSTER_TYPE[service.resolution];
  const cluster: Record<string, unknown> = {
    name,
    type,
    connectTimeout: connectTimeout(),
    lbPolicy: type === 'ORIGINAL_DST' ? 'CLUSTER_PROVIDED' : 'ROUND_ROBIN',
  };
  if (type === 'EDS') cluster['edsClusterConfig'] = edsClusterConfig(name);
  if (type === 'STATIC' || type === 'STRICT_DNS' || type === 'LOGICAL_DNS') {
    let endpoints = inlineEndpoints(snapshot, service, port, subsetLabels);
    // Istio drops STATIC/DNS clusters with nothing to connect to rather than send an unusable cluster.
    if (endpoints.length === 0) return undefined;
    // Envoy rejects a LOGICAL_DNS cluster with more than one endpoint.
    if (type === 'LOGICAL_DNS') endpoints = endpoints.slice(0, 1);
    cluster['loadAssignment'] = { clusterName: name, endpoints: buildLocalityLbEndpoints(endpoints) };
  }
  if (type === 'STRICT_DNS' || type === 'LOGICAL_DNS') {
    // Istio's choice for IPv4 proxies without dual stack; see the report's known gaps for IPv6.
    cluster['dnsLookupFamily'] = 'V4_ONLY';
    cluster['respectDnsTtl'] = true;
  }
  if (isHttp2Port(port)) cluster['typedExtensionProtocolOptions'] = http2ProtocolOptions();
  return cluster;
}

export function buildOutboundClusters(snapshot: MeshSnapshot, proxyNamespace: string, service: MeshService): Record<string, unknown>[] {
  const subsets = subsetsFor(snapshot, proxyNamespace, service.hostname);
  const out: Record<string, unknown>[] = [];
  for (const port of service.ports) {
    const main = buildCluster(snapshot, service, port, outboundClusterName(service.hostname, port.port), undefined);
    if (main) out.push(main);
    for (const subset of subsets) {
      const name = outboundClusterName(service.hostname, port.port, subset.name);
      const cluster = buildCluster(snapshot, service, port, name, subset.labels ?? {});
      if (cluster) out.push(cluster);
    }
  }
  return out;
}

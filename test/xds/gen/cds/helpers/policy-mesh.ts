/** A small mesh for traffic-policy tests: one Kubernetes service whose DestinationRule the test supplies. */
import type { MeshSnapshot, ServicePort, TrafficPolicy, Subset, WorkloadEndpoint } from '../../../../../src/model/types.js';
import type { ProxyNode, ProxyType } from '../../../../../src/model/proxy.js';
import { cdsGenerator } from '../../../../../src/xds/gen/cds/cds-generator.js';
import { generateFor, resourceNamed } from '../../helpers/generate.js';
import { destinationRule, endpoint, fqdn, kubeService, port, proxy, snapshot } from '../../helpers/mesh-builder.js';

export const HTTP = port(9080, 'HTTP', 'http');
export const GRPC = port(7070, 'GRPC', 'grpc');
export const TCP = port(3306, 'TCP', 'tcp');
export const REVIEWS = fqdn('reviews');

export function reviewsEndpoints(ports: readonly ServicePort[] = [HTTP, GRPC, TCP]): WorkloadEndpoint[] {
  return ports.flatMap((p) => [
    endpoint('10.0.0.1', p, { labels: { app: 'reviews', version: 'v1' }, serviceAccount: 'bookinfo-reviews', tlsMode: 'istio' }),
    endpoint('10.0.0.2', p, { labels: { app: 'reviews', version: 'v2' }, serviceAccount: 'reviews-v2', tlsMode: 'istio' }),
  ]);
}

export function policyMesh(trafficPolicy: TrafficPolicy | undefined, subsets: readonly Subset[] = []): MeshSnapshot {
  return snapshot({
    services: [kubeService('reviews', 'default', [HTTP, GRPC, TCP])],
    endpoints: { [REVIEWS]: reviewsEndpoints() },
    destinationRules: [destinationRule('reviews', 'default', { host: REVIEWS, ...(trafficPolicy ? { trafficPolicy } : {}), subsets: [...subsets] })],
  });
}

export function clusterOf(snap: MeshSnapshot, name: string, node: ProxyNode = proxy('sidecar')): Record<string, unknown> {
  return resourceNamed(generateFor(cdsGenerator, snap, node), name);
}

export function gatewayProxy(): ProxyNode {
  return proxy('router' as ProxyType, 'istio-system', { istio: 'ingressgateway' });
}

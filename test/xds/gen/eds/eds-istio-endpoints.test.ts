/**
 * EDS in Istio's endpoint shape (endpoints.EndpointBuilder,
 * util.AppendLbEndpointMetadata): each endpoint's weight and HEALTHY
 * status, its tlsMode and telemetry metadata; not-ready endpoints left out.
 */
import { describe, expect, it } from 'vitest';
import { edsGenerator } from '../../../../src/xds/gen/eds/eds-generator.js';
import { generateFor, resourceNamed } from '../helpers/generate.js';
import { endpoint, fqdn, kubeService, port, proxy, serviceEntry, snapshot } from '../helpers/mesh-builder.js';

const http = port(9080, 'HTTP', 'http');
const REVIEWS = fqdn('reviews');

type LbEndpoint = Record<string, unknown>;
function lbEndpoints(resource: Record<string, unknown>): LbEndpoint[] {
  return (resource['endpoints'] as { lbEndpoints: LbEndpoint[] }[]).flatMap((l) => l.lbEndpoints);
}

describe('EDS endpoints', () => {
  const snap = snapshot({
    services: [kubeService('reviews', 'default', [http]), serviceEntry('db.internal', 'data', 'STATIC', [http])],
    endpoints: {
      [REVIEWS]: [
        endpoint('10.0.0.1', http, {
          labels: { app: 'reviews', version: 'v1', 'pod-template-hash': '7f99cc4496', 'security.istio.io/tlsMode': 'istio' },
          tlsMode: 'istio',
          workloadName: 'pod/default/reviews-v1-7f99cc4496-x2x9z',
        }),
        endpoint('10.0.0.2', http, {
          labels: { 'service.istio.io/canonical-name': 'reviews-canonical', 'service.istio.io/canonical-revision': 'r2' },
          workloadName: 'workloadentry/default/reviews-vm',
          weight: 5,
        }),
        endpoint('10.0.0.3', http, { ready: false }),
      ],
      'db.internal': [endpoint('192.168.1.1', http)],
    },
  });
  const [first, second, ...rest] = lbEndpoints(resourceNamed(generateFor(edsGenerator, snap, proxy('sidecar')), `outbound|9080||${REVIEWS}`));

  it('leaves not-ready endpoints out and marks the rest HEALTHY with their weight, 1 by default', () => {
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ healthStatus: 'HEALTHY', loadBalancingWeight: { value: 1 } });
    expect(second).toMatchObject({ healthStatus: 'HEALTHY', loadBalancingWeight: { value: 5 } });
  });

  it('marks mTLS-capable workloads for the transport socket match and names the workload for telemetry', () => {
    // "name;namespace;canonical service;canonical revision;cluster": the Deployment behind the pod, app and version labels.
    expect(first?.['metadata']).toEqual({
      filterMetadata: {
        'envoy.transport_socket_match': { fields: { tlsMode: { stringValue: 'istio' } } },
        istio: { fields: { workload: { stringValue: 'reviews-v1;default;reviews;v1;Kubernetes' } } },
      },
    });
  });

  it('prefers the canonical-service labels; no tlsMode, no transport socket match', () => {
    expect(second?.['metadata']).toEqual({
      filterMetadata: { istio: { fields: { workload: { stringValue: 'reviews-vm;default;reviews-canonical;r2;Kubernetes' } } } },
    });
  });

  it('sends proxyless clients the same endpoints, metadata included, as Istio does', () => {
    const forGrpc = lbEndpoints(resourceNamed(generateFor(edsGenerator, snap, proxy('proxyless')), `outbound|9080||${REVIEWS}`));
    expect(forGrpc).toEqual([first, second]);
  });

  it("a ServiceEntry endpoint without a workload is named by its entry's namespace only", () => {
    const [db] = lbEndpoints(resourceNamed(generateFor(edsGenerator, snap, proxy('sidecar')), 'outbound|9080||db.internal'));
    expect(db?.['metadata']).toEqual({ filterMetadata: { istio: { fields: { workload: { stringValue: ';data;;;Kubernetes' } } } } });
  });
});

/**
 * MeshConfig.defaultHttpRetryPolicy (Istio's route.go): a VirtualService
 * route without `retries` takes the mesh's policy instead of Istio's
 * built-in one, as does the default route of a service no VirtualService
 * routes (BuildDefaultHTTPOutboundRoute); a route's own `retries` wins, and
 * a mesh policy with attempts 0 leaves routes without retries.
 */
import { describe, expect, it } from 'vitest';
import type { HTTPRetry, MeshConfig } from '../../../../src/model/types.js';
import { rdsGenerator } from '../../../../src/xds/gen/rds/rds-generator.js';
import { generateFor } from '../helpers/generate.js';
import { proxy, snapshot, virtualService } from '../helpers/mesh-builder.js';
import { RATINGS, ratingsService, REVIEWS, reviewsService, toReviews, type RouteConfig } from './helpers/route-mesh.js';

const PREVIOUS_HOSTS = [
  { name: 'envoy.retry_host_predicates.previous_hosts', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate' } },
];
const MESH_POLICY: HTTPRetry = { attempts: 5, retryOn: '5xx,reset', perTryTimeout: '2s' };

/** retryPolicy of the first route of each host's virtual host on port 9080, for a sidecar and a proxyless client. */
function retryPolicies(mesh: Partial<MeshConfig>, reviewsRetries?: HTTPRetry): Record<string, unknown> {
  const snap = snapshot({
    mesh,
    services: [reviewsService, ratingsService],
    virtualServices: [virtualService('reviews', 'default', { hosts: [REVIEWS], http: [{ route: toReviews(), ...(reviewsRetries ? { retries: reviewsRetries } : {}) }] })],
  });
  const out: Record<string, unknown> = {};
  const sidecar = generateFor(rdsGenerator, snap, proxy('sidecar'), ['9080'])[0]?.resource as unknown as RouteConfig;
  for (const host of [REVIEWS, RATINGS]) {
    const route = sidecar.virtualHosts.find((v) => v.name === `${host}:9080`)?.routes[0];
    out[`sidecar ${host}`] = (route?.['route'] as Record<string, unknown> | undefined)?.['retryPolicy'];
  }
  const proxyless = generateFor(rdsGenerator, snap, proxy('proxyless'), ['reviews:9080'])[0]?.resource as unknown as RouteConfig;
  out['proxyless reviews'] = (proxyless.virtualHosts[0]?.routes[0]?.['route'] as Record<string, unknown> | undefined)?.['retryPolicy'];
  return out;
}

describe('MeshConfig.defaultHttpRetryPolicy', () => {
  it('replaces the built-in retries of VirtualService routes without retries and of default routes, for every client', () => {
    const expected = {
      retryOn: '5xx,reset',
      numRetries: { value: 5 },
      perTryTimeout: { seconds: 2 },
      retryHostPredicate: PREVIOUS_HOSTS,
      hostSelectionRetryMaxAttempts: 5,
    };
    expect(retryPolicies({ defaultHttpRetryPolicy: MESH_POLICY })).toEqual({
      [`sidecar ${REVIEWS}`]: expected,
      [`sidecar ${RATINGS}`]: expected,
      'proxyless reviews': expected,
    });
  });

  it("is not used where the route sets its own retries, even attempts 0", () => {
    const own = retryPolicies({ defaultHttpRetryPolicy: MESH_POLICY }, { attempts: 1, retryOn: 'unavailable' });
    expect(own[`sidecar ${REVIEWS}`]).toMatchObject({ retryOn: 'unavailable', numRetries: { value: 1 } });
    expect(retryPolicies({ defaultHttpRetryPolicy: MESH_POLICY }, { attempts: 0 })[`sidecar ${REVIEWS}`]).toBeUndefined();
  });

  it('with attempts 0 turns retries off wherever the route does not set them', () => {
    expect(retryPolicies({ defaultHttpRetryPolicy: { attempts: 0 } })).toEqual({
      [`sidecar ${REVIEWS}`]: undefined,
      [`sidecar ${RATINGS}`]: undefined,
      'proxyless reviews': undefined,
    });
  });

  it("unset, leaves Istio's built-in policy: 2 retries on connection failures and gRPC unavailable/cancelled", () => {
    expect(retryPolicies({})[`sidecar ${RATINGS}`]).toEqual({
      retryOn: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
      numRetries: { value: 2 },
      retryHostPredicate: PREVIOUS_HOSTS,
      hostSelectionRetryMaxAttempts: 5,
    });
  });
});

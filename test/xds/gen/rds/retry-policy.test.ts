/** Route retry policies, from Istio's retry.ConvertPolicy. */
import { describe, expect, it } from 'vitest';
import type { HTTPRetry } from '../../../../src/model/types.js';
import { destinationRule } from '../helpers/mesh-builder.js';
import { REVIEWS, reviewsRoutes, routeMesh, routesOf, toReviews } from './helpers/route-mesh.js';

const PREVIOUS_HOSTS = [
  { name: 'envoy.retry_host_predicates.previous_hosts', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate' } },
];
const DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';

const retryPolicyOf = (retries: HTTPRetry | undefined): unknown =>
  (routesOf([{ route: toReviews(), ...(retries ? { retries } : {}) }])[0]?.['route'] as Record<string, unknown>)['retryPolicy'];

describe('retry policy', () => {
  it("gives a route without retries Istio's default: 2 attempts, connection and gRPC failures, another host each time", () => {
    expect(retryPolicyOf(undefined)).toEqual({ retryOn: DEFAULT_RETRY_ON, numRetries: { value: 2 }, retryHostPredicate: PREVIOUS_HOSTS, hostSelectionRetryMaxAttempts: 5 });
  });

  it('turns retries off at attempts 0', () => {
    expect(retryPolicyOf({ attempts: 0 })).toBeUndefined();
  });

  it('reads attempts, perTryTimeout, backoff and retryOn, status codes apart', () => {
    expect(retryPolicyOf({ attempts: 3, perTryTimeout: '2s', backoff: '25ms', retryOn: 'gateway-error,503,reset' })).toEqual({
      retryOn: 'gateway-error,reset,retriable-status-codes',
      retriableStatusCodes: [503],
      numRetries: { value: 3 },
      perTryTimeout: { seconds: 2 },
      retryBackOff: { baseInterval: { seconds: 0, nanos: 25_000_000 } },
      retryHostPredicate: PREVIOUS_HOSTS,
      hostSelectionRetryMaxAttempts: 5,
    });
  });

  it('retries in other localities with retryRemoteLocalities, and may keep the previous host', () => {
    expect(retryPolicyOf({ attempts: 2, retryRemoteLocalities: true, retryIgnorePreviousHosts: false })).toEqual({
      retryOn: DEFAULT_RETRY_ON,
      numRetries: { value: 2 },
      retryPriority: {
        name: 'envoy.retry_priorities.previous_priorities',
        typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig', updateFrequency: 2 },
      },
      hostSelectionRetryMaxAttempts: 5,
    });
  });

  it('leaves the previous-hosts predicate out under consistent hashing, which must keep the hashed host', () => {
    const snap = routeMesh([{ route: toReviews() }], {
      destinationRules: [destinationRule('reviews', 'default', { host: REVIEWS, trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'x-user' } } } })],
    });
    const policy = (reviewsRoutes(snap)[0]?.['route'] as Record<string, unknown>)['retryPolicy'];
    expect(policy).toEqual({ retryOn: DEFAULT_RETRY_ON, numRetries: { value: 2 }, hostSelectionRetryMaxAttempts: 5 });
  });
});

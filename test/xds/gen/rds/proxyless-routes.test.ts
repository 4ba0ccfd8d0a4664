/**
 * What proxyless gRPC receives of a VirtualService: Istio's grpcgen builds
 * the sidecar routes, and gRPC refuses a whole route configuration holding
 * a route with a non-forwarding action (grpc-js: "unsupported action") or
 * per-route config for a filter it lacks; those are left out so the rest
 * still applies.
 */
import { describe, expect, it } from 'vitest';
import { REVIEWS, routesOf } from './helpers/route-mesh.js';

describe('proxyless routes', () => {
  it('leaves out redirects and direct responses, keeping the forwarding routes', () => {
    const http = [
      { name: 'moved', match: [{ uri: { prefix: '/old' } }], redirect: { uri: '/new' } },
      { name: 'blocked', match: [{ uri: { prefix: '/admin' } }], directResponse: { status: 403 } },
      { name: 'rest', route: [{ destination: { host: REVIEWS } }] },
    ];
    expect(routesOf(http, 'sidecar').map((r) => r['name'])).toEqual(['moved', 'blocked', 'rest']);
    expect(routesOf(http, 'proxyless').map((r) => r['name'])).toEqual(['rest']);
  });

  it('keeps the retry policy gRPC reads: at least one retry, gRPC status names in retryOn', () => {
    const [route] = routesOf([{ route: [{ destination: { host: REVIEWS } }], retries: { attempts: 4, retryOn: 'unavailable,deadline-exceeded' } }], 'proxyless');
    expect(route?.['route']).toMatchObject({ retryPolicy: { retryOn: 'unavailable,deadline-exceeded', numRetries: { value: 4 } } });
  });
});

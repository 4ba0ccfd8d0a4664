/** Per-route fault and CORS configs, from Istio's TranslateFault and TranslateCORSPolicy. */
import { describe, expect, it } from 'vitest';
import { routesOf, toReviews } from './helpers/route-mesh.js';

const HTTP_FAULT = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';
const CORS_POLICY = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy';

describe('fault injection', () => {
  it('delays and aborts with percentages in millionths', () => {
    const [route] = routesOf([{ fault: { delay: { fixedDelay: '5s', percentage: { value: 10 } }, abort: { httpStatus: 503, percentage: { value: 0.5 } } }, route: toReviews() }]);
    expect(route?.['typedPerFilterConfig']).toEqual({
      'envoy.filters.http.fault': {
        '@type': HTTP_FAULT,
        delay: { fixedDelay: { seconds: 5 }, percentage: { numerator: 100_000, denominator: 'MILLION' } },
        abort: { httpStatus: 503, percentage: { numerator: 5_000, denominator: 'MILLION' } },
      },
    });
  });

  it('reads the deprecated integer percent in hundredths, and gRPC statuses by name', () => {
    const [route] = routesOf([{ fault: { delay: { fixedDelay: '100ms', percent: 20 }, abort: { grpcStatus: 'UNAVAILABLE' } }, route: toReviews() }]);
    expect(route?.['typedPerFilterConfig']).toEqual({
      'envoy.filters.http.fault': {
        '@type': HTTP_FAULT,
        delay: { fixedDelay: { seconds: 0, nanos: 100_000_000 }, percentage: { numerator: 20, denominator: 'HUNDRED' } },
        abort: { grpcStatus: 14 },
      },
    });
  });

  it('sends no fault config when nothing Envoy supports is left (an exponential delay)', () => {
    const [route] = routesOf([{ fault: { delay: { exponentialDelay: '1s', percentage: { value: 5 } } }, route: toReviews() }]);
    expect(route).not.toHaveProperty('typedPerFilterConfig');
  });

  it('gives proxyless gRPC the same fault config', () => {
    const [route] = routesOf([{ fault: { abort: { httpStatus: 500, percentage: { value: 100 } } }, route: toReviews() }], 'proxyless');
    expect(route?.['typedPerFilterConfig']).toEqual({
      'envoy.filters.http.fault': { '@type': HTTP_FAULT, abort: { httpStatus: 500, percentage: { numerator: 1_000_000, denominator: 'MILLION' } } },
    });
  });
});

describe('CORS', () => {
  const corsPolicy = {
    allowOrigins: [{ exact: 'https://example.com' }, { prefix: 'https://shop.' }, { regex: 'https://.*\\.example\\.org' }],
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['x-user', 'content-type'],
    exposeHeaders: ['x-trace'],
    maxAge: '24h',
    allowCredentials: true,
  };

  it('translates origins to string matchers, lists to comma-joined strings, max age to seconds, always enabled', () => {
    const [route] = routesOf([{ corsPolicy, route: toReviews() }]);
    expect(route?.['typedPerFilterConfig']).toEqual({
      'envoy.filters.http.cors': {
        '@type': CORS_POLICY,
        allowOriginStringMatch: [{ exact: 'https://example.com' }, { prefix: 'https://shop.' }, { safeRegex: { regex: 'https://.*\\.example\\.org' } }],
        allowMethods: 'GET,POST',
        allowHeaders: 'x-user,content-type',
        exposeHeaders: 'x-trace',
        maxAge: '86400',
        allowCredentials: { value: true },
        filterEnabled: { defaultValue: { numerator: 100, denominator: 'HUNDRED' } },
        forwardNotMatchingPreflights: { value: true },
      },
    });
  });

  it('reads deprecated allowOrigin as exact origins, and stops forwarding unmatched preflights on IGNORE', () => {
    const [route] = routesOf([{ corsPolicy: { allowOrigin: ['https://a.example'], unmatchedPreflights: 'IGNORE' }, route: toReviews() }]);
    expect(route?.['typedPerFilterConfig']).toMatchObject({
      'envoy.filters.http.cors': { allowOriginStringMatch: [{ exact: 'https://a.example' }], forwardNotMatchingPreflights: { value: false } },
    });
  });

  it('is left out for proxyless gRPC, which has no CORS filter and would refuse the route configuration', () => {
    const [route] = routesOf([{ corsPolicy, route: toReviews() }], 'proxyless');
    expect(route).not.toHaveProperty('typedPerFilterConfig');
  });
});

/** outlierDetection → Envoy's OutlierDetection and panic threshold, as Istio's applyOutlierDetection writes them. */
import { describe, expect, it } from 'vitest';
import type { OutlierDetection } from '../../../../src/model/types.js';
import { clusterOf, policyMesh, REVIEWS } from './helpers/policy-mesh.js';

const cluster = (outlierDetection: OutlierDetection): Record<string, unknown> => clusterOf(policyMesh({ outlierDetection }), `outbound|9080||${REVIEWS}`);

describe('outlierDetection', () => {
  it('turns success-rate ejection off and enforces each consecutive-error detector at 100%', () => {
    const c = cluster({ consecutive5xxErrors: 7, consecutiveGatewayErrors: { value: 3 }, interval: '5m', baseEjectionTime: '15m', maxEjectionPercent: 50 });
    expect(c['outlierDetection']).toEqual({
      enforcingSuccessRate: { value: 0 },
      consecutive_5xx: { value: 7 },
      enforcingConsecutive_5xx: { value: 100 },
      consecutiveGatewayFailure: { value: 3 },
      enforcingConsecutiveGatewayFailure: { value: 100 },
      interval: { seconds: 300 },
      baseEjectionTime: { seconds: 900 },
      maxEjectionPercent: { value: 50 },
    });
  });

  it('a zero threshold is written with enforcement 0, switching that detector off', () => {
    expect(cluster({ consecutive5xxErrors: 0 })['outlierDetection']).toMatchObject({ consecutive_5xx: { value: 0 }, enforcingConsecutive_5xx: { value: 0 } });
  });

  it('sets the panic threshold to minHealthPercent, 0 when unset', () => {
    expect(cluster({ consecutive5xxErrors: 1 })['commonLbConfig']).toEqual({ healthyPanicThreshold: { value: 0 } });
    expect(cluster({ consecutive5xxErrors: 1, minHealthPercent: 30 })['commonLbConfig']).toEqual({ healthyPanicThreshold: { value: 30 } });
  });

  it('splits local-origin failures only when asked, enforcing them at 100% and their success rate at 0', () => {
    expect(cluster({ splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 4 })['outlierDetection']).toEqual({
      enforcingSuccessRate: { value: 0 },
      splitExternalLocalOriginErrors: true,
      consecutiveLocalOriginFailure: { value: 4 },
      enforcingConsecutiveLocalOriginFailure: { value: 100 },
      enforcingLocalOriginSuccessRate: { value: 0 },
    });
    expect(cluster({ consecutiveLocalOriginFailures: 4 })['outlierDetection']).toEqual({ enforcingSuccessRate: { value: 0 } });
  });

  it('the deprecated consecutiveErrors is not read, as in current Istio', () => {
    expect(cluster({ consecutiveErrors: 5 })['outlierDetection']).toEqual({ enforcingSuccessRate: { value: 0 } });
  });
});

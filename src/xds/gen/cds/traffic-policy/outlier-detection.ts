/**
 * outlierDetection → Envoy's OutlierDetection, as Istio's
 * applyOutlierDetection maps it: success-rate ejection off, each
 * consecutive-error detector enforced at 100% when its threshold is above
 * zero, and the panic threshold set to minHealthPercent (0 when unset, so a
 * small service never sends to ejected hosts just because most are out).
 */
import type { OutlierDetection } from '../../../../model/types.js';
import { parseGoDuration } from '../../common/duration.js';
import { unwrapValue } from '../../common/wrapped-value.js';

function enforced(count: number): Record<string, number> {
  return { value: count > 0 ? 100 : 0 };
}

export function buildOutlierDetection(outlier: OutlierDetection): Record<string, unknown> {
  const out: Record<string, unknown> = { enforcingSuccessRate: { value: 0 } };
  // The deprecated consecutiveErrors is no longer read by Istio; consecutive5xxErrors replaced it.
  const fiveHundreds = unwrapValue(outlier.consecutive5xxErrors);
  if (fiveHundreds !== undefined) {
    // protobufjs keeps the underscore before a digit: consecutive_5xx, not consecutive5xx.
    out['consecutive_5xx'] = { value: fiveHundreds };
    out['enforcingConsecutive_5xx'] = enforced(fiveHundreds);
  }
  const gateway = unwrapValue(outlier.consecutiveGatewayErrors);
  if (gateway !== undefined) {
    out['consecutiveGatewayFailure'] = { value: gateway };
    out['enforcingConsecutiveGatewayFailure'] = enforced(gateway);
  }
  const interval = outlier.interval === undefined ? undefined : parseGoDuration(outlier.interval);
  if (interval) out['interval'] = interval;
  const baseEjectionTime = outlier.baseEjectionTime === undefined ? undefined : parseGoDuration(outlier.baseEjectionTime);
  if (baseEjectionTime) out['baseEjectionTime'] = baseEjectionTime;
  if (outlier.maxEjectionPercent !== undefined && outlier.maxEjectionPercent > 0) out['maxEjectionPercent'] = { value: outlier.maxEjectionPercent };
  if (outlier.splitExternalLocalOriginErrors) {
    out['splitExternalLocalOriginErrors'] = true;
    const localOrigin = unwrapValue(outlier.consecutiveLocalOriginFailures) ?? 0;
    if (localOrigin > 0) {
      out['consecutiveLocalOriginFailure'] = { value: localOrigin };
      out['enforcingConsecutiveLocalOriginFailure'] = { value: 100 };
    }
    out['enforcingLocalOriginSuccessRate'] = { value: 0 };
  }
  return out;
}

/** CommonLbConfig.healthyPanicThreshold that comes with outlier detection. */
export function panicThresholdFor(outlier: OutlierDetection): Record<string, number> {
  return { value: outlier.minHealthPercent ?? 0 };
}

/**
 * Istio percentages → Envoy FractionalPercent, as Istio converts them: a
 * Percent (a double) in millionths, an integer percent in hundredths.
 */
import type { Percent } from '../../../model/types.js';

/** Go's uint32(p.Value * 10000) truncates, so 0.29% becomes 2899 per million, as Istio sends it. */
export function percentToFractional(percent: Percent): Record<string, unknown> {
  return { numerator: Math.max(0, Math.trunc((percent.value ?? 0) * 10000)), denominator: 'MILLION' };
}

export function integerPercentToFractional(percent: number): Record<string, unknown> {
  return { numerator: Math.max(0, Math.trunc(percent)), denominator: 'HUNDRED' };
}

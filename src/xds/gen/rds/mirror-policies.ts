/**
 * Istio mirror/mirrorPercentage and mirrors → Envoy request mirror policies
 * (Istio's MirrorPercent, MirrorPercentByPolicy and
 * TranslateRequestMirrorPolicy): 100% unless a percentage is given, none at
 * an explicit 0%, and mirrored requests never sampled for tracing.
 */
import type { Destination, HTTPRoute, Percent } from '../../../model/types.js';
import { unwrapValue } from '../common/wrapped-value.js';
import { integerPercentToFractional, percentToFractional } from './percent.js';

type ClusterOf = (destination: Destination) => string;

function fraction(percentage: Percent | undefined, integerPercent?: number): Record<string, unknown> | undefined {
  if (percentage) return (percentage.value ?? 0) > 0 ? percentToFractional(percentage) : undefined;
  if (integerPercent !== undefined) return integerPercent > 0 ? integerPercentToFractional(integerPercent) : undefined;
  return integerPercentToFractional(100);
}

function mirrorPolicy(cluster: string, defaultValue: Record<string, unknown>): Record<string, unknown> {
  return { cluster, runtimeFraction: { defaultValue }, traceSampled: { value: false } };
}

export function translateMirrorPolicies(route: HTTPRoute, clusterOf: ClusterOf): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (route.mirror) {
    const value = fraction(route.mirrorPercentage, unwrapValue(route.mirrorPercent));
    if (value) out.push(mirrorPolicy(clusterOf(route.mirror), value));
  }
  for (const mirror of route.mirrors ?? []) {
    const value = fraction(mirror.percentage);
    if (value && mirror.destination) out.push(mirrorPolicy(clusterOf(mirror.destination), value));
  }
  return out;
}

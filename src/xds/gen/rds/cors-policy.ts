/**
 * Istio CorsPolicy → the per-route config of Envoy's CORS filter (Istio's
 * TranslateCORSPolicy): origins as string matchers, lists joined with
 * commas, max age in whole seconds, always enabled, and preflights that
 * match no origin forwarded unless unmatchedPreflights is IGNORE.
 */
import type { CorsPolicy } from '../../../model/types.js';
import { parseGoDuration } from '../common/duration.js';
import { CORS_POLICY_TYPE } from '../common/type-names.js';
import { unwrapValue } from '../common/wrapped-value.js';
import { envoyStringMatcher } from './string-matcher.js';

function originMatchers(policy: CorsPolicy): Record<string, unknown>[] | undefined {
  if (policy.allowOrigins) return policy.allowOrigins.flatMap((m): Record<string, unknown>[] => {
    const matcher = envoyStringMatcher(m);
    return matcher ? [matcher] : [];
  });
  if (policy.allowOrigin) return policy.allowOrigin.map((exact) => ({ exact }));
  return undefined;
}

export function translateCorsPolicy(policy: CorsPolicy): Record<string, unknown> {
  const out: Record<string, unknown> = { '@type': CORS_POLICY_TYPE };
  const origins = originMatchers(policy);
  if (origins && origins.length > 0) out['allowOriginStringMatch'] = origins;
  const join = (field: string, values: readonly string[] | undefined): void => {
    if (values && values.length > 0) out[field] = values.join(',');
  };
  join('allowMethods', policy.allowMethods);
  join('allowHeaders', policy.allowHeaders);
  join('exposeHeaders', policy.exposeHeaders);
  const maxAge = policy.maxAge !== undefined ? parseGoDuration(policy.maxAge) : undefined;
  if (maxAge) out['maxAge'] = String(maxAge.seconds);
  const allowCredentials = unwrapValue(policy.allowCredentials);
  if (allowCredentials !== undefined) out['allowCredentials'] = { value: allowCredentials };
  out['filterEnabled'] = { defaultValue: { numerator: 100, denominator: 'HUNDRED' } };
  out['forwardNotMatchingPreflights'] = { value: policy.unmatchedPreflights !== 'IGNORE' };
  return out;
}

/**
 * Istio HTTPRetry → Envoy RetryPolicy (Istio's retry.ConvertPolicy). Without
 * a retries block (the route's, else the mesh's defaultHttpRetryPolicy) a
 * route still retries: twice, on connection failures and gRPC
 * "unavailable"/"cancelled", on a different host each time. With
 * consistent hashing the previous-hosts predicate is left out, as a retry
 * would otherwise leave the host the hash chose. attempts 0 means no retries.
 */
import type { HTTPRetry } from '../../../model/types.js';
import { unwrapValue } from '../common/wrapped-value.js';
import { parseGoDuration } from '../common/duration.js';
import { PREVIOUS_HOSTS_PREDICATE, PREVIOUS_HOSTS_PREDICATE_TYPE, PREVIOUS_PRIORITIES, PREVIOUS_PRIORITIES_TYPE } from '../common/type-names.js';

export const DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';
const DEFAULT_ATTEMPTS = 2;
const HOST_SELECTION_RETRY_MAX_ATTEMPTS = 5;
const RETRIABLE_STATUS_CODES = 'retriable-status-codes';

/** The status codes Go's http.StatusText knows: Istio reads only these numbers in retryOn as status codes. */
const KNOWN_HTTP_STATUS = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403,
  404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500,
  501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

function previousHostsPredicate(): Record<string, unknown>[] {
  return [{ name: PREVIOUS_HOSTS_PREDICATE, typedConfig: { '@type': PREVIOUS_HOSTS_PREDICATE_TYPE } }];
}

function basePolicy(consistentHash: boolean, attempts: number): Record<string, unknown> {
  const out: Record<string, unknown> = { retryOn: DEFAULT_RETRY_ON, numRetries: { value: attempts } };
  if (!consistentHash) out['retryHostPredicate'] = previousHostsPredicate();
  out['hostSelectionRetryMaxAttempts'] = HOST_SELECTION_RETRY_MAX_ATTEMPTS;
  return out;
}

/** "5xx,503,gateway-error" → retry conditions "5xx,gateway-error" and status codes [503] (Istio's parseRetryOn). */
function parseRetryOn(retryOn: string): { conditions: string; codes: number[] } {
  const conditions: string[] = [];
  const codes: number[] = [];
  for (const raw of retryOn.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const code = /^[+-]?[0-9]+$/.test(part) ? Number(part) : NaN;
    if (KNOWN_HTTP_STATUS.has(code)) codes.push(code);
    else conditions.push(part);
  }
  return { conditions: conditions.join(','), codes };
}

/** Undefined when the route must not retry (attempts 0). */
export function translateRetryPolicy(retries: HTTPRetry | undefined, consistentHash: boolean): Record<string, unknown> | undefined {
  if (!retries) return basePolicy(consistentHash, DEFAULT_ATTEMPTS);
  if (retries.attempts === undefined || retries.attempts <= 0) return undefined;
  const out = basePolicy(consistentHash, retries.attempts);
  if (retries.retryOn) {
    const { conditions, codes } = parseRetryOn(retries.retryOn);
    out['retryOn'] = codes.length > 0 && !conditions.includes(RETRIABLE_STATUS_CODES) ? `${conditions},${RETRIABLE_STATUS_CODES}` : conditions;
    if (codes.length > 0) out['retriableStatusCodes'] = codes;
  }
  const perTryTimeout = retries.perTryTimeout !== undefined ? parseGoDuration(retries.perTryTimeout) : undefined;
  if (perTryTimeout) out['perTryTimeout'] = perTryTimeout;
  const ignorePreviousHosts = unwrapValue(retries.retryIgnorePreviousHosts);
  if (ignorePreviousHosts === true) out['retryHostPredicate'] = previousHostsPredicate();
  else if (ignorePreviousHosts === false) delete out['retryHostPredicate'];
  if (unwrapValue(retries.retryRemoteLocalities) === true) {
    out['retryPriority'] = { name: PREVIOUS_PRIORITIES, typedConfig: { '@type': PREVIOUS_PRIORITIES_TYPE, updateFrequency: 2 } };
  }
  const backoff = retries.backoff !== undefined ? parseGoDuration(retries.backoff) : undefined;
  if (backoff) out['retryBackOff'] = { baseInterval: backoff };
  return out;
}

/**
 * What a matched route does to a request: forward (to one cluster or
 * weighted clusters, with timeout, retries, mirrors, hashing and rewrites),
 * redirect, or answer directly; plus the per-filter configs (fault, CORS)
 * and header mutations in force. Per-filter configs follow Envoy's
 * precedence (route, then virtual host, then route configuration; a
 * weighted cluster's own is not modelled) and apply only when the HTTP
 * filter is installed in the connection manager; otherwise Envoy never
 * runs them.
 */
import { stripPort, type NormalizedRequest } from './request.js';
import { durationMs, flag, fractionalPercent, numeric, record, records, strings, text, type Json } from './xds-view.js';

export const FAULT_FILTER = 'envoy.filters.http.fault';
export const CORS_FILTER = 'envoy.filters.http.cors';
/** RouteAction.timeout when unset (route_components.proto). */
export const ENVOY_DEFAULT_ROUTE_TIMEOUT_MS = 15_000;

export interface WeightedTarget {
  readonly cluster: string;
  readonly weight: number;
}

export interface Mirror {
  readonly cluster: string;
  readonly percent: number;
}

export interface RetryPolicy {
  readonly retryOn: string | undefined;
  /** Envoy retries once when a policy leaves num_retries unset. */
  readonly numRetries: number;
  readonly perTryTimeoutMs: number | undefined;
  readonly retryHostPredicates: readonly string[];
  readonly hostSelectionRetryMaxAttempts: number | undefined;
  readonly retriableStatusCodes: readonly number[];
}

export interface ForwardAction {
  readonly kind: 'forward';
  /** Every cluster this request may go to: one with weight 100, or the weighted set. */
  readonly targets: readonly WeightedTarget[];
  readonly weighted: boolean;
  /** 0 means no timeout, as in Envoy. */
  readonly timeoutMs: number;
  readonly retryPolicy: RetryPolicy | undefined;
  readonly mirrors: readonly Mirror[];
  readonly hashPolicy: readonly Json[];
  readonly prefixRewrite: string | undefined;
  readonly regexRewrite: { readonly pattern: string; readonly substitution: string } | undefined;
  readonly hostRewrite: string | undefined;
}

export interface RedirectAction {
  readonly kind: 'redirect';
  readonly status: number;
  readonly location: string;
}

export interface DirectResponseAction {
  readonly kind: 'directResponse';
  readonly status: number;
  readonly body: string | undefined;
}

export type RouteAction = ForwardAction | RedirectAction | DirectResponseAction;

export interface Fault {
  readonly delay?: { readonly fixedDelayMs: number | undefined; readonly percent: number };
  readonly abort?: { readonly httpStatus: number | undefined; readonly grpcStatus: number | undefined; readonly percent: number };
}

export interface HeaderAddition {
  readonly level: 'routeConfig' | 'virtualHost' | 'route';
  readonly key: string;
  readonly value: string;
  readonly appendAction: string;
}

export interface HeaderMutations {
  readonly add: readonly HeaderAddition[];
  readonly remove: readonly string[];
}

const REDIRECT_CODES: Readonly<Record<string, number>> = {
  MOVED_PERMANENTLY: 301,
  FOUND: 302,
  SEE_OTHER: 303,
  TEMPORARY_REDIRECT: 307,
  PERMANENT_REDIRECT: 308,
};

function retryPolicyOf(policy: Json | undefined): RetryPolicy | undefined {
  if (!policy) return undefined;
  return {
    retryOn: text(policy['retryOn']),
    numRetries: numeric(policy['numRetries']) ?? 1,
    perTryTimeoutMs: durationMs(policy['perTryTimeout']),
    retryHostPredicates: records(policy['retryHostPredicate']).map((p) => text(p['name']) ?? ''),
    hostSelectionRetryMaxAttempts: numeric(policy['hostSelectionRetryMaxAttempts']),
    retriableStatusCodes: (Array.isArray(policy['retriableStatusCodes']) ? policy['retriableStatusCodes'] : []).map(Number),
  };
}

function forward(action: Json, virtualHost: Json): ForwardAction {
  const weightedClusters = record(action['weightedClusters']);
  const cluster = text(action['cluster']);
  const targets: WeightedTarget[] = weightedClusters
    ? records(weightedClusters['clusters']).map((c) => ({ cluster: text(c['name']) ?? '', weight: numeric(c['weight']) ?? 0 }))
    : cluster !== undefined
      ? [{ cluster, weight: 100 }]
      : [];
  const regexRewrite = record(action['regexRewrite']);
  return {
    kind: 'forward',
    targets,
    weighted: weightedClusters !== undefined,
    timeoutMs: action['timeout'] === undefined ? ENVOY_DEFAULT_ROUTE_TIMEOUT_MS : (durationMs(action['timeout']) ?? 0),
    retryPolicy: retryPolicyOf(record(action['retryPolicy']) ?? record(virtualHost['retryPolicy'])),
    mirrors: records(action['requestMirrorPolicies']).map((m) => ({
      cluster: text(m['cluster']) ?? '',
      percent: fractionalPercent(record(m['runtimeFraction'])?.['defaultValue']) ?? 100,
    })),
    hashPolicy: records(action['hashPolicy']),
    prefixRewrite: text(action['prefixRewrite']),
    regexRewrite: regexRewrite
      ? { pattern: text(record(regexRewrite['pattern'])?.['regex']) ?? '', substitution: text(regexRewrite['substitution']) ?? '' }
      : undefined,
    hostRewrite: text(action['hostRewriteLiteral']),
  };
}

function redirect(action: Json, request: NormalizedRequest): RedirectAction {
  const scheme = flag(action['httpsRedirect']) === true ? 'https' : (text(action['schemeRedirect']) ?? (request.isTls ? 'https' : 'http'));
  const originalHost = stripPort(request.authority);
  const originalPort = request.authority.slice(originalHost.length + 1);
  const host = text(action['hostRedirect']) ?? originalHost;
  const portRedirect = numeric(action['portRedirect']);
  const port = portRedirect !== undefined ? String(portRedirect) : text(action['hostRedirect']) === undefined ? originalPort : '';
  const query = request.path.includes('?') && flag(action['stripQuery']) !== true ? request.path.slice(request.path.indexOf('?')) : '';
  const originalPath = request.path.split('?')[0] ?? '/';
  const path = text(action['pathRedirect']) ?? originalPath;
  return {
    kind: 'redirect',
    status: REDIRECT_CODES[text(action['responseCode']) ?? 'MOVED_PERMANENTLY'] ?? 301,
    location: `${scheme}://${host}${port ? `:${port}` : ''}${path}${query}`,
  };
}

export function routeActionOf(route: Json, virtualHost: Json, request: NormalizedRequest): RouteAction {
  const action = record(route['route']);
  if (action) return forward(action, virtualHost);
  const redirectAction = record(route['redirect']);
  if (redirectAction) return redirect(redirectAction, request);
  const direct = record(route['directResponse']);
  if (direct) return { kind: 'directResponse', status: numeric(direct['status']) ?? 0, body: text(record(direct['body'])?.['inlineString']) };
  throw new Error(`route ${text(route['name']) ?? '(unnamed)'} has no action Envoy would accept`);
}

/** The most specific per-filter config for `filter`, searching from the route outwards. */
export function perFilterConfig(filter: string, levels: readonly (Json | undefined)[]): Json | undefined {
  for (const level of levels) {
    const found = record(record(level?.['typedPerFilterConfig'])?.[filter]);
    if (found) return found;
  }
  return undefined;
}

export function faultOf(config: Json): Fault {
  const delay = record(config['delay']);
  const abort = record(config['abort']);
  return {
    ...(delay ? { delay: { fixedDelayMs: durationMs(delay['fixedDelay']), percent: fractionalPercent(delay['percentage']) ?? 0 } } : {}),
    ...(abort
      ? { abort: { httpStatus: numeric(abort['httpStatus']), grpcStatus: numeric(abort['grpcStatus']), percent: fractionalPercent(abort['percentage']) ?? 0 } }
      : {}),
  };
}

function additions(level: HeaderAddition['level'], holder: Json | undefined, field: string): HeaderAddition[] {
  return records(holder?.[field]).map((option) => {
    const header = record(option['header']) ?? {};
    const append = flag(option['append']);
    return {
      level,
      key: text(header['key']) ?? '',
      value: text(header['value']) ?? '',
      appendAction: text(option['appendAction']) ?? (append === false ? 'OVERWRITE_IF_EXISTS_OR_ADD' : 'APPEND_IF_EXISTS_OR_ADD'),
    };
  });
}

/**
 * Header mutations of the route, virtual host and route configuration, most
 * specific first (the order Envoy applies them in by default). A weighted
 * cluster's own mutations are not modelled.
 */
export function headerMutations(
  direction: 'request' | 'response',
  levels: { readonly route: Json; readonly virtualHost: Json; readonly routeConfig: Json },
): HeaderMutations {
  const addField = `${direction}HeadersToAdd`;
  const removeField = `${direction}HeadersToRemove`;
  const ordered: [HeaderAddition['level'], Json | undefined][] = [
    ['route', levels.route],
    ['virtualHost', levels.virtualHost],
    ['routeConfig', levels.routeConfig],
  ];
  return {
    add: ordered.flatMap(([level, holder]) => additions(level, holder, addField)),
    remove: ordered.flatMap(([, holder]) => strings(holder?.[removeField])),
  };
}

/** Istio's semantic rules for a VirtualService, for the fields tsiod serves. */
import { isJsonObject, type ConfigObject, type JsonValue } from '../config-object.js';
import { parseDurationMs } from '../duration.js';
import { hostsOverlap } from '../host-overlap.js';
import { ErrorList, type ObjectValidator } from './error-list.js';
import { arrayField, integerField, objectElements, objectField, requiredSpec, stringField, stringList, stringMapField } from './fields.js';
import { checkLabels, checkPortNumber, wildcardDomainProblem } from './names.js';
import { re2Problem } from './re2.js';
import { checkRouteDestinations } from './route-destinations.js';

const MESH_GATEWAY = 'mesh';
const MAX_REGEX_LENGTH = 1024;

export const validateVirtualService: ObjectValidator = (object: ConfigObject) => {
  const errors = new ErrorList(object);
  const spec = requiredSpec(errors, object);
  if (!spec) return errors.list();
  const gateways = stringList(errors, spec['gateways'], 'spec.gateways');
  const boundToMesh = gateways.length === 0 || gateways.includes(MESH_GATEWAY);
  const hosts = stringList(errors, spec['hosts'], 'spec.hosts');
  // Without hosts a VirtualService is a delegate (a hosts field of the wrong type has been reported as such).
  const isDelegate = hosts.length === 0 && (spec['hosts'] == null || Array.isArray(spec['hosts']));
  if (isDelegate) checkDelegateSpec(errors, spec);
  let allHostsValid = true;
  hosts.forEach((host, i) => {
    const problem =
      host === '*' ? (boundToMesh ? 'wildcard host * is not allowed for virtual services bound to the mesh gateway' : undefined) : wildcardDomainProblem(host);
    if (problem) {
      errors.add(`spec.hosts[${i}]`, problem);
      allHostsValid = false;
    }
  });
  // Istio: hosts that overlap (the same name, or one a wildcard covering the other) are duplicates.
  if (allHostsValid && hosts.length === (spec['hosts'] as readonly JsonValue[] | undefined)?.length) {
    hosts.forEach((host, i) => {
      for (const other of hosts.slice(i + 1)) {
        if (hostsOverlap(host, other)) errors.add(`spec.hosts[${i}]`, `duplicate hosts in virtual service: ${host} & ${other}`);
      }
    });
  }
  stringList(errors, spec['exportTo'], 'spec.exportTo');
  const routeLists = ['http', 'tcp', 'tls'].map((field) => arrayField(errors, spec[field], `spec.${field}`));
  if (routeLists.every((list) => !list || list.length === 0)) errors.add('spec', 'http, tcp or tls must be provided in virtual service');
  for (const [route, path] of objectElements(errors, routeLists[0], 'spec.http')) {
    checkHttpRoute(errors, route, path, isDelegate);
  }
  for (const [route, path] of objectElements(errors, routeLists[1], 'spec.tcp')) {
    if (noList(route['route'])) {
      errors.add(`${path}.route`, 'TCP route is required');
    }
    checkRouteDestinations(errors, route['route'], `${path}.route`);
  }
  for (const [route, path] of objectElements(errors, routeLists[2], 'spec.tls')) {
    checkTlsRoute(errors, route, path);
  }
  return errors.list();
};

/**
 * Istio's ValidateVirtualService for a VirtualService without hosts: a
 * delegate, whose http routes a root VirtualService takes in. It binds to
 * no gateway and has no TCP or TLS routes (Istio delegates only HTTP).
 */
function checkDelegateSpec(errors: ErrorList, spec: { readonly [key: string]: JsonValue }): void {
  const nonEmpty = (field: string): boolean => Array.isArray(spec[field]) && (spec[field] as readonly JsonValue[]).length > 0;
  if (nonEmpty('gateways')) errors.add('spec.gateways', 'delegate virtual service must have no gateways specified');
  if (nonEmpty('tls')) errors.add('spec.tls', 'delegate virtual service must have no tls route specified');
  if (nonEmpty('tcp')) errors.add('spec.tcp', 'delegate virtual service must have no tcp route specified');
}

function checkHttpRoute(errors: ErrorList, route: { readonly [key: string]: JsonValue }, path: string, inDelegate: boolean): void {
  stringField(errors, route['name'], `${path}.name`);
  checkRouteConflicts(errors, route, path, inDelegate);
  checkRouteDestinations(errors, route['route'], `${path}.route`);
  for (const [match, matchPath] of objectElements(errors, arrayField(errors, route['match'], `${path}.match`), `${path}.match`)) {
    checkMatch(errors, match, matchPath);
  }
  const timeout = stringField(errors, route['timeout'], `${path}.timeout`);
  if (timeout !== undefined) checkTimeout(errors, timeout, `${path}.timeout`);
  checkFault(errors, route['fault'], `${path}.fault`);
  checkRetries(errors, route['retries'], `${path}.retries`);
  const mirrorPercentage = objectField(errors, route['mirrorPercentage'], `${path}.mirrorPercentage`);
  if (mirrorPercentage) checkPercentage(errors, mirrorPercentage, `${path}.mirrorPercentage`);
}

/**
 * Istio's validateHTTPRouteConflict: a route delegating to another
 * VirtualService carries nothing else that routes, and a delegate's routes
 * delegate no further; otherwise exactly one of route, redirect and
 * directResponse, and no fault or rewrite beside a redirect or a direct
 * response.
 */
function checkRouteConflicts(errors: ErrorList, route: { readonly [key: string]: JsonValue }, path: string, inDelegate: boolean): void {
  const set = (field: string): boolean => route[field] !== undefined && route[field] !== null;
  const hasRoute = Array.isArray(route['route']) && route['route'].length > 0;
  const name = typeof route['name'] === 'string' ? route['name'] : '';
  if (inDelegate) {
    if (set('delegate')) errors.add(path, 'delegate HTTP route cannot contain delegate');
  } else if (set('delegate')) {
    if (set('redirect')) errors.add(path, `root HTTP route ${name} must not specify redirect`);
    if (hasRoute) errors.add(path, `root HTTP route ${name} must not specify route`);
    return;
  }
  if (set('redirect')) {
    if (hasRoute) errors.add(path, 'HTTP route cannot contain both route and redirect');
    if (set('fault')) errors.add(path, 'HTTP route cannot contain both fault and redirect');
    if (set('rewrite')) errors.add(path, 'HTTP route rule cannot contain both rewrite and redirect');
    if (set('directResponse')) errors.add(path, 'HTTP route rule cannot contain both direct_response and redirect');
  } else if (set('directResponse')) {
    if (hasRoute) errors.add(path, 'HTTP route cannot contain both route and direct_response');
    if (set('fault')) errors.add(path, 'HTTP route cannot contain both fault and direct_response');
    if (set('rewrite')) errors.add(path, 'HTTP route rule cannot contain both rewrite and direct_response');
  } else if (!hasRoute) {
    errors.add(path, 'HTTP route, redirect or direct_response is required');
  }
  if (set('mirror') && Array.isArray(route['mirrors']) && route['mirrors'].length > 0) errors.add(path, 'HTTP route cannot contain both mirror and mirrors');
}

/** Istio's validateTLSRoute: every TLS route matches on at least one SNI host. */
function checkTlsRoute(errors: ErrorList, route: { readonly [key: string]: JsonValue }, path: string): void {
  const matches = objectElements(errors, arrayField(errors, route['match'], `${path}.match`), `${path}.match`);
  if (matches.length === 0) errors.add(`${path}.match`, 'TLS route must have at least one match condition');
  for (const [match, matchPath] of matches) {
    if (stringList(errors, match['sniHosts'], `${matchPath}.sniHosts`).length === 0) errors.add(`${matchPath}.sniHosts`, 'TLS match must have at least one SNI host');
  }
  if (noList(route['route'])) {
    errors.add(`${path}.route`, 'TLS route is required');
  }
  checkRouteDestinations(errors, route['route'], `${path}.route`);
}

/** Istio's validateHTTPFaultInjection: an abort and/or a delay, percentages in range, an HTTP status 200-599, a valid delay. */
function checkFault(errors: ErrorList, value: JsonValue | undefined, path: string): void {
  const fault = objectField(errors, value, path);
  if (!fault) return;
  const abort = objectField(errors, fault['abort'], `${path}.abort`);
  const delay = objectField(errors, fault['delay'], `${path}.delay`);
  // A wrongly shaped abort or delay has been reported as such; it is still there.
  if (fault['abort'] == null && fault['delay'] == null) errors.add(path, 'HTTP fault injection must have an abort and/or a delay');
  if (abort) {
    const percentage = objectField(errors, abort['percentage'], `${path}.abort.percentage`);
    if (percentage) checkPercentage(errors, percentage, `${path}.abort.percentage`);
    const status = integerField(errors, abort['httpStatus'], `${path}.abort.httpStatus`);
    if (status !== undefined && (status < 200 || status > 600)) errors.add(`${path}.abort.httpStatus`, `HTTP status ${status} is not in range 200-599`);
  }
  if (delay) {
    const percentage = objectField(errors, delay['percentage'], `${path}.delay.percentage`);
    if (percentage) checkPercentage(errors, percentage, `${path}.delay.percentage`);
    const fixed = stringField(errors, delay['fixedDelay'], `${path}.delay.fixedDelay`);
    if (fixed !== undefined) checkTimeout(errors, fixed, `${path}.delay.fixedDelay`);
  }
}

/**
 * Istio's ValidateHTTPRetry: attempts not negative, and not 0 beside other
 * retry settings (0 turns retries off), durations valid, and retryOn a
 * comma-separated list of Envoy's retry policies or HTTP status codes.
 */
function checkRetries(errors: ErrorList, value: JsonValue | undefined, path: string): void {
  const retries = objectField(errors, value, path);
  if (!retries) return;
  const attempts = integerField(errors, retries['attempts'], `${path}.attempts`) ?? 0;
  if (attempts < 0) errors.add(`${path}.attempts`, 'attempts cannot be negative');
  const retryOn = stringField(errors, retries['retryOn'], `${path}.retryOn`) ?? '';
  if (attempts === 0 && (retries['perTryTimeout'] != null || retryOn !== '' || retries['retryRemoteLocalities'] != null)) {
    errors.add(`${path}.attempts`, 'http retry policy configured when attempts are set to 0 (disabled)');
  }
  const perTry = stringField(errors, retries['perTryTimeout'], `${path}.perTryTimeout`);
  if (perTry !== undefined) checkTimeout(errors, perTry, `${path}.perTryTimeout`);
  if (retryOn !== '') {
    for (const policy of retryOn.split(',')) {
      // strconv.Atoi then http.StatusText: a status code Go knows is a policy too.
      if (!RETRY_ON_POLICIES.has(policy) && !(/^[+-]?\d+$/.test(policy) && HTTP_STATUS_CODES.has(Number(policy)))) {
        errors.add(`${path}.retryOn`, `${JSON.stringify(policy)} is not a valid retryOn policy`);
      }
    }
  }
  const backoff = stringField(errors, retries['backoff'], `${path}.backoff`);
  if (backoff !== undefined) checkTimeout(errors, backoff, `${path}.backoff`);
}

/** Istio's supportedRetryOnPolicies: Envoy's x-envoy-retry-on and x-envoy-retry-grpc-on values. */
const RETRY_ON_POLICIES: ReadonlySet<string> = new Set([
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream', 'retriable-status-codes',
  'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure', 'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
]);

/** The status codes Go's net/http.StatusText names. */
const HTTP_STATUS_CODES: ReadonlySet<number> = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407,
  408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510,
  511,
]);

/** Istio's validatePercentage: 0, or 0.0001..100. */
function checkPercentage(errors: ErrorList, percentage: { readonly [key: string]: JsonValue }, path: string): void {
  const value = percentage['value'];
  if (value === undefined || value === null) return;
  if (typeof value !== 'number') {
    errors.add(`${path}.value`, 'must be a number');
    return;
  }
  if (value < 0 || value > 100 || (value > 0 && value < 0.0001)) errors.add(`${path}.value`, `percentage ${value} is neither 0.0, nor in range [0.0001, 100.0]`);
}

function checkMatch(errors: ErrorList, match: { readonly [key: string]: JsonValue }, path: string): void {
  stringField(errors, match['name'], `${path}.name`);
  // Envoy allows an empty URI prefix (it matches everything) but no other empty prefix.
  checkStringMatch(errors, match['uri'], `${path}.uri`, true);
  for (const field of ['scheme', 'method', 'authority']) checkStringMatch(errors, match[field], `${path}.${field}`);
  for (const field of ['headers', 'queryParams', 'withoutHeaders']) {
    const entries = objectField(errors, match[field], `${path}.${field}`);
    for (const [name, value] of Object.entries(entries ?? {})) {
      // In withoutHeaders, regex "*" is not a regex: it means "header present".
      if (field === 'withoutHeaders' && isJsonObject(value) && value['regex'] === '*') continue;
      if (field !== 'queryParams' && name === '') errors.add(`${path}.${field}`, 'header name cannot be empty');
      checkStringMatch(errors, value, `${path}.${field}.${name}`);
    }
  }
  const port = integerField(errors, match['port'], `${path}.port`);
  if (port !== undefined) checkPortNumber(errors, port, `${path}.port`);
  const sourceLabels = stringMapField(errors, match['sourceLabels'], `${path}.sourceLabels`);
  if (sourceLabels) checkLabels(errors, sourceLabels, `${path}.sourceLabels`);
  stringList(errors, match['gateways'], `${path}.gateways`);
}

/** StringMatch is a oneof: exactly one of exact, prefix, regex (an empty object matches anything, as in Istio). */
function checkStringMatch(errors: ErrorList, value: JsonValue | undefined, path: string, allowEmptyPrefix = false): void {
  const match = objectField(errors, value, path);
  if (!match) return;
  const set = ['exact', 'prefix', 'regex'].filter((k) => match[k] !== undefined && match[k] !== null);
  if (set.length > 1) errors.add(path, `only one of exact, prefix, regex may be set (found ${set.join(', ')})`);
  for (const k of set) stringField(errors, match[k], `${path}.${k}`);
  if (match['prefix'] === '' && !allowEmptyPrefix) errors.add(`${path}.prefix`, 'prefix string match should not be empty');
  const regex = match['regex'];
  if (regex === '') errors.add(`${path}.regex`, 'regex string match should not be empty');
  // Envoy limits the RE2 program size; Istio approximates it by the length.
  else if (typeof regex === 'string' && regex.length > MAX_REGEX_LENGTH) errors.add(`${path}.regex`, `regex is too large, max length allowed is ${MAX_REGEX_LENGTH}`);
  else if (typeof regex === 'string') {
    const problem = re2Problem(regex);
    if (problem) errors.add(`${path}.regex`, `invalid regex ${JSON.stringify(regex)}: ${problem}`);
  }
}

/** Istio's duration rule: at least 1ms, millisecond precision. */
function checkTimeout(errors: ErrorList, text: string, path: string): void {
  const ms = parseDurationMs(text);
  if (ms === undefined) errors.add(path, `${JSON.stringify(text)} is not a duration such as 1.5s or 100ms`);
  else if (ms < 1) errors.add(path, `duration ${text} must be at least 1ms`);
  else if (Math.abs(ms - Math.round(ms)) > 1e-9) errors.add(path, `duration ${text}: only millisecond precision is supported`);
}

/** Absent, null or empty: a list of the wrong type has been reported as such. */
function noList(value: JsonValue | undefined): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
}

/** Istio's semantic rules for a VirtualService, for the fields tsiod serves. */
import type { ConfigObject, JsonValue } from '../config-object.js';
import { parseDurationMs } from '../duration.js';
import { ErrorList, type ObjectValidator } from './error-list.js';
import { arrayField, integerField, objectElements, objectField, requiredSpec, stringField, stringList, stringMapField } from './fields.js';
import { checkLabels, checkPortNumber, wildcardDomainProblem } from './names.js';
import { re2Problem } from './re2.js';
import { checkRouteDestinations } from './route-destinations.js';

const MESH_GATEWAY = 'mesh';

export const validateVirtualService: ObjectValidator = (object: ConfigObject) => {
  const errors = new ErrorList(object);
  const spec = requiredSpec(errors, object);
  if (!spec) return errors.list();
  const gateways = stringList(errors, spec['gateways'], 'spec.gateways');
  const boundToMesh = gateways.length === 0 || gateways.includes(MESH_GATEWAY);
  const hosts = stringList(errors, spec['hosts'], 'spec.hosts');
  // A hosts field of the wrong type has been reported as such; saying it is empty too would say it twice.
  if (hosts.length === 0 && (spec['hosts'] == null || Array.isArray(spec['hosts']))) errors.add('spec.hosts', 'virtual service must have at least one host');
  hosts.forEach((host, i) => {
    if (host === '*' && boundToMesh) errors.add(`spec.hosts[${i}]`, 'wildcard host * is not allowed for virtual services bound to the mesh gateway');
    else if (host !== '*') {
      const problem = wildcardDomainProblem(host);
      if (problem) errors.add(`spec.hosts[${i}]`, problem);
    }
  });
  stringList(errors, spec['exportTo'], 'spec.exportTo');
  const routeLists = ['http', 'tcp', 'tls'].map((field) => arrayField(errors, spec[field], `spec.${field}`));
  if (routeLists.every((list) => !list || list.length === 0)) errors.add('spec', 'http, tcp or tls must be provided in virtual service');
  for (const [route, path] of objectElements(errors, routeLists[0], 'spec.http')) {
    checkHttpRoute(errors, route, path);
  }
  for (const [route, path] of objectElements(errors, routeLists[1], 'spec.tcp')) {
    checkRouteDestinations(errors, route['route'], `${path}.route`);
  }
  for (const [route, path] of objectElements(errors, routeLists[2], 'spec.tls')) {
    checkTlsRoute(errors, route, path);
  }
  return errors.list();
};

function checkHttpRoute(errors: ErrorList, route: { readonly [key: string]: JsonValue }, path: string): void {
  stringField(errors, route['name'], `${path}.name`);
  const hasRoute = Array.isArray(route['route']) && route['route'].length > 0;
  if (!hasRoute && route['redirect'] == null && route['directResponse'] == null && route['delegate'] == null) {
    errors.add(path, 'HTTP route or redirect is required');
  }
  if (hasRoute && route['redirect'] != null) errors.add(path, 'HTTP route cannot contain both route and redirect');
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

/** Istio's validateTLSRoute: every TLS route matches on at least one SNI host. */
function checkTlsRoute(errors: ErrorList, route: { readonly [key: string]: JsonValue }, path: string): void {
  const matches = objectElements(errors, arrayField(errors, route['match'], `${path}.match`), `${path}.match`);
  if (matches.length === 0) errors.add(`${path}.match`, 'TLS route must have at least one match condition');
  for (const [match, matchPath] of matches) {
    if (stringList(errors, match['sniHosts'], `${matchPath}.sniHosts`).length === 0) errors.add(`${matchPath}.sniHosts`, 'TLS match must have at least one SNI host');
  }
  checkRouteDestinations(errors, route['route'], `${path}.route`);
}

/** Istio's validateHTTPFaultInjection: an abort and/or a delay, percentages in range, an HTTP status 200-599, a valid delay. */
function checkFault(errors: ErrorList, value: JsonValue | undefined, path: string): void {
  const fault = objectField(errors, value, path);
  if (!fault) return;
  const abort = objectField(errors, fault['abort'], `${path}.abort`);
  const delay = objectField(errors, fault['delay'], `${path}.delay`);
  if (!abort && !delay) errors.add(path, 'HTTP fault injection must have an abort and/or a delay');
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

/** Istio's validateHTTPRetry: attempts not negative, perTryTimeout a valid duration. */
function checkRetries(errors: ErrorList, value: JsonValue | undefined, path: string): void {
  const retries = objectField(errors, value, path);
  if (!retries) return;
  const attempts = integerField(errors, retries['attempts'], `${path}.attempts`);
  if (attempts !== undefined && attempts < 0) errors.add(`${path}.attempts`, 'attempts cannot be negative');
  const perTry = stringField(errors, retries['perTryTimeout'], `${path}.perTryTimeout`);
  if (perTry !== undefined) checkTimeout(errors, perTry, `${path}.perTryTimeout`);
  stringField(errors, retries['retryOn'], `${path}.retryOn`);
}

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
  for (const field of ['uri', 'scheme', 'method', 'authority']) checkStringMatch(errors, match[field], `${path}.${field}`);
  for (const field of ['headers', 'queryParams', 'withoutHeaders']) {
    const entries = objectField(errors, match[field], `${path}.${field}`);
    for (const [name, value] of Object.entries(entries ?? {})) {
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
function checkStringMatch(errors: ErrorList, value: JsonValue | undefined, path: string): void {
  const match = objectField(errors, value, path);
  if (!match) return;
  const set = ['exact', 'prefix', 'regex'].filter((k) => match[k] !== undefined && match[k] !== null);
  if (set.length > 1) errors.add(path, `only one of exact, prefix, regex may be set (found ${set.join(', ')})`);
  for (const k of set) stringField(errors, match[k], `${path}.${k}`);
  const regex = match['regex'];
  if (typeof regex === 'string') {
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

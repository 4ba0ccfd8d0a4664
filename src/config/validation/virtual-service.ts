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
  if (hosts.length === 0) errors.add('spec.hosts', 'virtual service must have at least one host');
  hosts.forEach((host, i) => {
    if (host === '*' && boundToMesh) errors.add(`spec.hosts[${i}]`, 'wildcard host * is not allowed for virtual services bound to the mesh gateway');
    else if (host !== '*') {
      const problem = wildcardDomainProblem(host);
      if (problem) errors.add(`spec.hosts[${i}]`, problem);
    }
  });
  stringList(errors, spec['exportTo'], 'spec.exportTo');
  for (const [route, path] of objectElements(errors, arrayField(errors, spec['http'], 'spec.http'), 'spec.http')) {
    checkHttpRoute(errors, route, path);
  }
  for (const field of ['tcp', 'tls'] as const) {
    for (const [route, path] of objectElements(errors, arrayField(errors, spec[field], `spec.${field}`), `spec.${field}`)) {
      checkRouteDestinations(errors, route['route'], `${path}.route`);
    }
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

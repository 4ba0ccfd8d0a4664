/**
 * Route destinations, shared by VirtualService http, tcp and tls routes.
 * Weights follow the rule Istio enforced for years ("total destination
 * weight != 100"): integers in 0..100 summing to 100 when a route splits.
 */
import type { JsonValue } from '../config-object.js';
import type { ErrorList } from './error-list.js';
import { arrayField, integerField, objectElements, objectField, requiredString, stringField } from './fields.js';
import { isIstioDns1123Label } from './istio-names.js';
import { checkPortNumber, wildcardDomainProblem } from './names.js';

export function checkDestination(errors: ErrorList, value: JsonValue | undefined, path: string): void {
  const destination = objectField(errors, value, path);
  if (!destination) {
    if (value === undefined || value === null) errors.add(path, 'destination is required');
    return;
  }
  const host = requiredString(errors, destination['host'], `${path}.host`, 'destination host is required');
  if (host === '*') errors.add(`${path}.host`, 'invalid destination host *');
  else if (host !== undefined) {
    const problem = wildcardDomainProblem(host);
    if (problem) errors.add(`${path}.host`, problem);
  }
  const subset = stringField(errors, destination['subset'], `${path}.subset`);
  if (subset !== undefined && !isIstioDns1123Label(subset)) errors.add(`${path}.subset`, `subset name is invalid: ${subset}`);
  const port = objectField(errors, destination['port'], `${path}.port`);
  if (port) checkPortNumber(errors, integerField(errors, port['number'], `${path}.port.number`), `${path}.port.number`);
}

/** `route` of one http/tcp/tls route: each destination, each weight, and the total. */
export function checkRouteDestinations(errors: ErrorList, value: JsonValue | undefined, path: string): void {
  const routes = objectElements(errors, arrayField(errors, value, path), path);
  let total = 0;
  for (const [route, routePath] of routes) {
    checkDestination(errors, route['destination'], `${routePath}.destination`);
    const weight = integerField(errors, route['weight'], `${routePath}.weight`);
    if (weight !== undefined && (weight < 0 || weight > 100)) errors.add(`${routePath}.weight`, 'must be between 0 and 100');
    total += weight ?? 0;
  }
  if (routes.length > 1 && total !== 100) errors.add(path, `total destination weight ${total} != 100`);
}

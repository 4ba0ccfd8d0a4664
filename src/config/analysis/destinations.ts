/** The destinations a VirtualService routes and mirrors to, as Istio's analyzers walk them. */
import type { ConfigObject, JsonObject } from '../config-object.js';
import { asObject, objectsOf, specOf } from './json.js';

export interface RouteDestination {
  readonly destination: JsonObject;
  /** "tcp", "tls", "http", "http.mirror" or "http.mirrors" */
  readonly section: string;
}

/** Route destinations of tcp, tls and http rules, in that order. */
export function routeDestinations(vs: ConfigObject): RouteDestination[] {
  const spec = specOf(vs);
  const out: RouteDestination[] = [];
  for (const section of ['tcp', 'tls', 'http']) {
    for (const [rule] of objectsOf(spec[section])) {
      for (const [route] of objectsOf(rule['route'])) {
        const destination = asObject(route['destination']);
        if (destination) out.push({ destination, section });
      }
    }
  }
  return out;
}

/** http[].mirror and http[].mirrors[].destination. */
export function mirrorDestinations(vs: ConfigObject): RouteDestination[] {
  const out: RouteDestination[] = [];
  for (const [rule] of objectsOf(specOf(vs)['http'])) {
    const mirror = asObject(rule['mirror']);
    if (mirror) out.push({ destination: mirror, section: 'http.mirror' });
    for (const [entry] of objectsOf(rule['mirrors'])) {
      const destination = asObject(entry['destination']);
      if (destination) out.push({ destination, section: 'http.mirrors' });
    }
  }
  return out;
}

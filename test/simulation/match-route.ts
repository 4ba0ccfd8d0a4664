/**
 * Envoy's route selection within a virtual host: the first route, in order,
 * whose path specifier, headers and query parameters all match
 * (route_components.proto RouteMatch). The path is matched without its
 * query string. prefix and path honour case_sensitive (default true);
 * path_separated_prefix matches the prefix exactly or followed by "/", "?"
 * or "#". runtime_fraction is ignored, so the simulation is deterministic:
 * a route guarded by one matches as if the fraction were 100%.
 */
import type { NormalizedRequest } from './request.js';
import { SimulationError } from './simulation-error.js';
import { fullRegexMatches, headerMatches, queryParameterMatches } from './string-matcher.js';
import { flag, record, records, text, type Json } from './xds-view.js';

export interface MatchedRoute {
  readonly route: Json;
  readonly index: number;
}

function splitPath(fullPath: string): { path: string; query: URLSearchParams } {
  const question = fullPath.indexOf('?');
  if (question < 0) return { path: fullPath, query: new URLSearchParams() };
  return { path: fullPath.slice(0, question), query: new URLSearchParams(fullPath.slice(question + 1)) };
}

function pathMatches(match: Json, path: string): boolean {
  const caseSensitive = flag(match['caseSensitive']) ?? true;
  const fold = (s: string): string => (caseSensitive ? s : s.toLowerCase());
  const prefix = text(match['prefix']);
  if (prefix !== undefined) return fold(path).startsWith(fold(prefix));
  const exact = text(match['path']);
  if (exact !== undefined) return fold(path) === fold(exact);
  const separated = text(match['pathSeparatedPrefix']);
  if (separated !== undefined) {
    if (!fold(path).startsWith(fold(separated))) return false;
    const next = path.charAt(separated.length);
    return next === '' || next === '/';
  }
  const regex = text(record(match['safeRegex'])?.['regex']);
  if (regex !== undefined) return fullRegexMatches(regex, path);
  throw new SimulationError('route', `unsupported path specifier in ${JSON.stringify(match)}`);
}

export function routeMatches(match: Json, request: NormalizedRequest): boolean {
  const { path, query } = splitPath(request.path);
  if (!pathMatches(match, path)) return false;
  if (!records(match['headers']).every((h) => headerMatches(h, request.headers))) return false;
  return records(match['queryParameters']).every((q) => queryParameterMatches(q, query));
}

export function matchRoute(virtualHost: Json, request: NormalizedRequest): MatchedRoute {
  const routes = records(virtualHost['routes']);
  const index = routes.findIndex((r) => routeMatches(record(r['match']) ?? {}, request));
  const found = routes[index];
  if (found) return { route: found, index };
  const tried = routes.map((r, i) => `#${i} ${text(r['name']) ?? ''} ${JSON.stringify(r['match'])}`).join('; ');
  throw new SimulationError('route', `virtual host ${String(virtualHost['name'])}: no route matches ${request.method} ${request.path} among: ${tried || '(none)'}`);
}

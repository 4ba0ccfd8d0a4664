/**
 * Istio HTTPMatchRequest → Envoy RouteMatch. Header matchers are sorted by
 * name for stable output; method and authority become the ":method" and
 * ":authority" pseudo-headers, after the others, as in Istio.
 */
import type { HTTPMatchRequest, StringMatch } from '../../../model/types.js';

/** Istio treats an empty match or regex "*" as "header present" (RE2 would reject "*"). */
function isPresenceMatch(match: StringMatch): boolean {
  return match.exact === undefined && match.prefix === undefined && (match.regex === undefined || match.regex === '*');
}

function stringMatcher(match: StringMatch): Record<string, unknown> {
  if (match.exact !== undefined) return { exact: match.exact };
  if (match.prefix !== undefined) return { prefix: match.prefix };
  return { safeRegex: { regex: match.regex ?? '' } };
}

function headerMatcher(name: string, match: StringMatch): Record<string, unknown> {
  return isPresenceMatch(match) ? { name, presentMatch: true } : { name, stringMatch: stringMatcher(match) };
}

function queryParameterMatcher(name: string, match: StringMatch): Record<string, unknown> {
  return isPresenceMatch(match) ? { name, presentMatch: true } : { name, stringMatch: stringMatcher(match) };
}

function pathSpecifier(uri: StringMatch | undefined): Record<string, unknown> {
  if (uri?.exact !== undefined) return { path: uri.exact };
  if (uri?.prefix !== undefined) return { prefix: uri.prefix };
  if (uri?.regex !== undefined) return { safeRegex: { regex: uri.regex } };
  return { prefix: '/' };
}

/** The match of a route with no match conditions: everything. */
export function catchAllMatch(): Record<string, unknown> {
  return { prefix: '/' };
}

export function translateRouteMatch(match: HTTPMatchRequest): Record<string, unknown> {
  const out: Record<string, unknown> = { ...pathSpecifier(match.uri), caseSensitive: { value: true } };
  const headers = Object.entries(match.headers ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, m]) => headerMatcher(name, m));
  if (match.method) headers.push(headerMatcher(':method', match.method));
  if (match.authority) headers.push(headerMatcher(':authority', match.authority));
  if (headers.length > 0) out['headers'] = headers;
  const query = Object.entries(match.queryParams ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, m]) => queryParameterMatcher(name, m));
  if (query.length > 0) out['queryParameters'] = query;
  return out;
}

/** A route that matches every request: later routes in the virtual host are unreachable. */
export function isCatchAllMatch(match: Readonly<Record<string, unknown>>): boolean {
  const regex = (match['safeRegex'] as { regex?: string } | undefined)?.regex;
  const everyPath = match['prefix'] === '/' || regex === '.*';
  return everyPath && match['headers'] === undefined && match['queryParameters'] === undefined;
}

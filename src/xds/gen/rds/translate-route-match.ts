/**
 * Istio HTTPMatchRequest → Envoy RouteMatch (Istio's TranslateRouteMatch).
 * Header matchers (withoutHeaders inverted) are sorted by name; method,
 * authority and scheme become the ":method", ":authority" and ":scheme"
 * pseudo-headers, after the others. Query parameters are sorted by name for
 * stable output (Istio iterates a map).
 */
import type { HTTPMatchRequest, StringMatch } from '../../../model/types.js';
import { envoyStringMatcher, isPresenceMatch } from './string-matcher.js';

function valueMatcher(name: string, match: StringMatch): Record<string, unknown> {
  if (isPresenceMatch(match)) return { name, presentMatch: true };
  const stringMatch = envoyStringMatcher(match);
  return stringMatch ? { name, stringMatch } : { name };
}

/** A missing header is "" for an inverted match, so "not equal to x" also holds without the header; present_match forbids it. */
function invertedHeaderMatcher(name: string, match: StringMatch): Record<string, unknown> {
  const out: Record<string, unknown> = { ...valueMatcher(name, match), invertMatch: true };
  if (!isPresenceMatch(match)) out['treatMissingHeaderAsEmpty'] = true;
  return out;
}

function byName(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): number {
  const an = String(a['name']);
  const bn = String(b['name']);
  return an < bn ? -1 : an > bn ? 1 : 0;
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
  const out: Record<string, unknown> = { ...pathSpecifier(match.uri), caseSensitive: { value: match.ignoreUriCase !== true } };
  const headers = [
    ...Object.entries(match.headers ?? {}).map(([name, m]) => valueMatcher(name, m)),
    ...Object.entries(match.withoutHeaders ?? {}).map(([name, m]) => invertedHeaderMatcher(name, m)),
  ].sort(byName);
  if (match.method) headers.push(valueMatcher(':method', match.method));
  if (match.authority) headers.push(valueMatcher(':authority', match.authority));
  if (match.scheme) headers.push(valueMatcher(':scheme', match.scheme));
  if (headers.length > 0) out['headers'] = headers;
  const query = Object.entries(match.queryParams ?? {})
    .map(([name, m]) => valueMatcher(name, m))
    .sort(byName);
  if (query.length > 0) out['queryParameters'] = query;
  return out;
}

/** A route that matches every request: later routes in the virtual host are unreachable (Istio's IsCatchAllRoute). */
export function isCatchAllMatch(match: Readonly<Record<string, unknown>>): boolean {
  const regex = (match['safeRegex'] as { regex?: string } | undefined)?.regex;
  const everyPath = match['prefix'] === '/' || regex === '.*';
  return everyPath && match['headers'] === undefined && match['queryParameters'] === undefined;
}

/**
 * Envoy's matchers on strings, headers and query parameters
 * (type/matcher/v3/string.proto, route_components.proto HeaderMatcher and
 * QueryParameterMatcher). Regexes are RE2 in Envoy and must match the whole
 * value; JavaScript's engine agrees on the syntax Istio emits.
 */
import { flag, numeric, record, text, type Json } from './xds-view.js';

export function fullRegexMatches(regex: string, value: string): boolean {
  return new RegExp(`^(?:${regex})$`, 'u').test(value);
}

function regexOf(matcher: unknown): string | undefined {
  return text(record(matcher)?.['regex']);
}

/** envoy.type.matcher.v3.StringMatcher. */
export function stringMatches(matcher: Json, value: string): boolean {
  const ignoreCase = flag(matcher['ignoreCase']) === true;
  const fold = (s: string): string => (ignoreCase ? s.toLowerCase() : s);
  const exact = text(matcher['exact']);
  if (exact !== undefined) return fold(value) === fold(exact);
  const prefix = text(matcher['prefix']);
  if (prefix !== undefined) return fold(value).startsWith(fold(prefix));
  const suffix = text(matcher['suffix']);
  if (suffix !== undefined) return fold(value).endsWith(fold(suffix));
  const contains = text(matcher['contains']);
  if (contains !== undefined) return fold(value).includes(fold(contains));
  const regex = regexOf(matcher['safeRegex']);
  if (regex !== undefined) return fullRegexMatches(regex, value);
  throw new Error(`unsupported StringMatcher ${JSON.stringify(matcher)}`);
}

/**
 * One HeaderMatcher against the request's headers. A missing header fails
 * every value match (and so passes it when inverted), unless
 * treatMissingHeaderAsEmpty reads it as ""; presentMatch compares presence.
 */
export function headerMatches(matcher: Json, headers: ReadonlyMap<string, string>): boolean {
  const name = (text(matcher['name']) ?? '').toLowerCase();
  const invert = flag(matcher['invertMatch']) === true;
  const value = headers.get(name);
  if (matcher['presentMatch'] !== undefined) {
    const wanted = flag(matcher['presentMatch']) ?? true;
    return (value !== undefined) === wanted !== invert;
  }
  const treatMissingAsEmpty = flag(matcher['treatMissingHeaderAsEmpty']) === true;
  if (value === undefined && !treatMissingAsEmpty) return invert;
  return valueMatches(matcher, value ?? '') !== invert;
}

function valueMatches(matcher: Json, value: string): boolean {
  const stringMatch = record(matcher['stringMatch']);
  if (stringMatch) return stringMatches(stringMatch, value);
  if (text(matcher['exactMatch']) !== undefined) return value === matcher['exactMatch'];
  if (text(matcher['prefixMatch']) !== undefined) return value.startsWith(matcher['prefixMatch'] as string);
  if (text(matcher['suffixMatch']) !== undefined) return value.endsWith(matcher['suffixMatch'] as string);
  if (text(matcher['containsMatch']) !== undefined) return value.includes(matcher['containsMatch'] as string);
  const regex = regexOf(matcher['safeRegexMatch']);
  if (regex !== undefined) return fullRegexMatches(regex, value);
  const range = record(matcher['rangeMatch']);
  if (range) {
    if (!/^-?[0-9]+$/.test(value)) return false;
    const n = Number(value);
    return n >= (numeric(range['start']) ?? -Infinity) && n < (numeric(range['end']) ?? Infinity);
  }
  // A matcher with no value criterion matches any present header.
  return true;
}

/** One QueryParameterMatcher against the parsed query string. */
export function queryParameterMatches(matcher: Json, query: URLSearchParams): boolean {
  const name = text(matcher['name']) ?? '';
  const value = query.get(name);
  if (flag(matcher['presentMatch']) === true) return value !== null;
  if (value === null) return false;
  const stringMatch = record(matcher['stringMatch']);
  return stringMatch ? stringMatches(stringMatch, value) : true;
}

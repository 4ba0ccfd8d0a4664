/**
 * Envoy matchers from AuthorizationPolicy values (Istio's authz/matcher
 * package). A value is exact, a prefix ("foo*"), a suffix ("*foo") or
 * presence ("*"); presence becomes the regex ".+" (or a header's
 * present_match), since Envoy forbids an empty prefix or suffix.
 */
import { URI_TEMPLATE_MATCH_TYPE } from './filter-names.js';

export type EnvoyMessage = Record<string, unknown>;

/** Go's regexp.QuoteMeta: RE2 treats these characters specially. */
export function quoteMeta(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

function withCase(matcher: EnvoyMessage, ignoreCase: boolean): EnvoyMessage {
  return ignoreCase ? { ...matcher, ignoreCase: true } : matcher;
}

export function exactMatcher(exact: string, ignoreCase = false): EnvoyMessage {
  return withCase({ exact }, ignoreCase);
}

export function prefixMatcher(prefix: string, ignoreCase = false): EnvoyMessage {
  return withCase({ prefix }, ignoreCase);
}

export function suffixMatcher(suffix: string, ignoreCase = false): EnvoyMessage {
  return withCase({ suffix }, ignoreCase);
}

export function regexMatcher(regex: string): EnvoyMessage {
  return { safeRegex: { regex } };
}

/** Istio's matchAny: a value that is present and not empty. */
export const MATCH_ANY_REGEX = '.+';

/**
 * Istio's StringMatcherWithPrefix: `prefix` goes in front of the value
 * (e.g. "spiffe://" before a principal), except for "*", which matches
 * anything present. A suffix value with a prefix needs a regex.
 */
export function stringMatcher(value: string, prefix = ''): EnvoyMessage {
  if (value === '*') return regexMatcher(MATCH_ANY_REGEX);
  if (value.startsWith('*')) {
    const suffix = value.slice(1);
    return prefix === '' ? suffixMatcher(suffix) : regexMatcher(`${prefix}.*${quoteMeta(suffix)}`);
  }
  if (value.endsWith('*')) return prefixMatcher(prefix + value.slice(0, -1));
  return exactMatcher(prefix + value);
}

/** A route.v3.HeaderMatcher for a header value; hosts compare without case. */
function headerValueMatcher(name: string, value: string, ignoreCase: boolean): EnvoyMessage {
  if (value === '*') return { name, presentMatch: true };
  if (value.startsWith('*')) return { name, stringMatch: suffixMatcher(value.slice(1), ignoreCase) };
  if (value.endsWith('*')) return { name, stringMatch: prefixMatcher(value.slice(0, -1), ignoreCase) };
  return { name, stringMatch: exactMatcher(value, ignoreCase) };
}

export function headerMatcher(name: string, value: string): EnvoyMessage {
  return headerValueMatcher(name, value, false);
}

export function hostMatcher(name: string, value: string): EnvoyMessage {
  return headerValueMatcher(name, value, true);
}

export function pathMatcher(path: string): EnvoyMessage {
  return { path: stringMatcher(path) };
}

/** Envoy's uri_template path matcher, for paths with Istio's "{*}" and "{**}" (written "*" and "**" there). */
export function pathTemplateMatcher(path: string): EnvoyMessage {
  return {
    name: 'uri-template',
    typedConfig: { '@type': URI_TEMPLATE_MATCH_TYPE, pathTemplate: path.replaceAll('{**}', '**').replaceAll('{*}', '*') },
  };
}

export function containsPathTemplate(path: string): boolean {
  return path.includes('{*}') || path.includes('{**}');
}

/** One value matcher for several: the matcher itself when there is one. */
export function orValueMatcher(matchers: readonly EnvoyMessage[]): EnvoyMessage {
  return matchers.length === 1 ? (matchers[0] as EnvoyMessage) : { orMatch: { valueMatchers: [...matchers] } };
}

export function stringOrMatcher(values: readonly string[]): EnvoyMessage {
  return orValueMatcher(values.map((v) => ({ stringMatch: stringMatcher(v) })));
}

export function metadataMatcher(filter: string, keys: readonly string[], value: EnvoyMessage): EnvoyMessage {
  return { filter, path: keys.map((key) => ({ key })), value };
}

/**
 * A metadata value that may be a list or a single value: JWT claims such
 * as "aud" are either, so Istio matches one element of a list, or the
 * value itself.
 */
export function listOrValueMatcher(filter: string, keys: readonly string[], value: EnvoyMessage): EnvoyMessage {
  return metadataMatcher(filter, keys, { orMatch: { valueMatchers: [{ listMatch: { oneOf: value } }, value] } });
}

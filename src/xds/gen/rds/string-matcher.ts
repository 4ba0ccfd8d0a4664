/** Istio StringMatch → Envoy StringMatcher (Istio's util.ConvertToEnvoyMatch). */
import type { StringMatch } from '../../../model/types.js';

/** Undefined for a StringMatch that sets no match type. */
export function envoyStringMatcher(match: StringMatch): Record<string, unknown> | undefined {
  if (match.exact !== undefined) return { exact: match.exact };
  if (match.prefix !== undefined) return { prefix: match.prefix };
  if (match.regex !== undefined) return { safeRegex: { regex: match.regex } };
  return undefined;
}

/**
 * Istio turns an empty match, and regex "*" (not valid RE2, but what users
 * write for "any value"), into "the header or parameter is present"
 * (canBeConvertedToPresentMatch).
 */
export function isPresenceMatch(match: StringMatch | undefined): boolean {
  if (!match) return true;
  if (match.exact !== undefined || match.prefix !== undefined) return false;
  return match.regex === undefined || match.regex === '*';
}

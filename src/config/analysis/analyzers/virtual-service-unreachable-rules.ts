/**
 * Rules and matches of a VirtualService that can never be used, which Istio
 * reports from its validation as warnings (pkg/config/validation,
 * analyzeUnreachable*Rules):
 * - VirtualServiceUnreachableRule (IST0130): a rule after a rule without
 *   matches (which takes everything), a second rule without matches, or a
 *   rule all of whose matches an earlier rule already has;
 * - VirtualServiceIneffectiveMatch (IST0131): a match identical to an earlier
 *   one (http match names aside), or an http uri prefix match that an
 *   earlier prefix match covers.
 * Rules are named "#<index>", or by their quoted name (http only), as Istio
 * names them.
 *
 * Istio's covering check compares the other conditions loosely (a method or
 * header value that is a prefix of the other's counts); tsiod reports a
 * covered prefix only when every other condition is identical, so it never
 * calls a reachable match unused.
 */
import type { JsonObject, JsonValue } from '../../config-object.js';
import { resourceOf, type Analyzer } from '../context.js';
import { asArray, asObject, asString, canonicalJson, field, specOf } from '../json.js';
import { goQuote, newMessage } from '../message.js';
import { VirtualServiceIneffectiveMatch, VirtualServiceUnreachableRule } from '../messages.js';

type Unused = (rule: string, reason: string) => void;
type Ineffective = (rule: string, match: string, duplicateOf: string) => void;

interface PrefixMatch {
  readonly rule: string;
  readonly match: string;
  readonly prefix: string;
  /** The match without its name and uri: what else a request must satisfy. */
  readonly rest: string;
}

export const virtualServiceUnreachableRulesAnalyzer: Analyzer = {
  name: 'virtualservice.UnreachableRuleAnalyzer',
  description: 'Checks for VirtualService rules and matches that earlier ones make unreachable',
  analyze(context, report) {
    for (const vs of context.of('VirtualService')) {
      const spec = specOf(vs);
      const unused: Unused = (rule, reason) => report(newMessage(VirtualServiceUnreachableRule, resourceOf(vs), rule, reason));
      const ineffective: Ineffective = (rule, match, dup) => report(newMessage(VirtualServiceIneffectiveMatch, resourceOf(vs), rule, match, dup));
      const prefixes = walkRules(asArray(spec['http']), true, unused, ineffective);
      walkRules(asArray(spec['tcp']), false, unused, ineffective);
      walkRules(asArray(spec['tls']), false, unused, ineffective);
      prefixes.forEach((earlier, i) => {
        for (const later of prefixes.slice(i + 1)) {
          if (later.prefix === earlier.prefix || !later.prefix.startsWith(earlier.prefix) || later.rest !== earlier.rest) continue;
          ineffective(later.rule, `${later.match} of prefix ${later.prefix}`, `${earlier.match} of prefix ${earlier.prefix} on ${earlier.rule}`);
        }
      });
    }
  },
};

/** Reports duplicate matches and unreachable rules of one section; returns the http uri prefix matches for the covering check. */
function walkRules(rules: readonly JsonValue[], http: boolean, unused: Unused, ineffective: Ineffective): PrefixMatch[] {
  const seen = new Map<string, number>();
  const prefixes: PrefixMatch[] = [];
  let catchAll = -1;
  rules.forEach((value, index) => {
    const rule = asObject(value);
    if (!rule) return;
    const ruleName = routeName(rule, index, http);
    const matches = asArray(rule['match']);
    if (matches.length === 0) {
      if (catchAll >= 0) unused(ruleName, 'only the last rule can have no matches');
      catchAll = index;
      return;
    }
    let duplicates = 0;
    matches.forEach((match, matchIndex) => {
      if (catchAll >= 0) {
        unused(ruleName, 'route without matches defined before');
        return;
      }
      const key = canonicalJson(http ? withoutFields(match, 'name') : match);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        ineffective(ruleName, matchName(match, matchIndex, http), routeName(asObject(rules[earlier]) ?? {}, earlier, http));
        duplicates += 1;
        return;
      }
      seen.set(key, index);
      const prefix = asString(field(match, 'uri', 'prefix')) ?? '';
      if (http && prefix !== '') {
        prefixes.push({ rule: ruleName, match: matchName(match, matchIndex, http), prefix, rest: canonicalJson(withoutFields(match, 'name', 'uri')) });
      }
    });
    if (duplicates === matches.length) unused(ruleName, 'all matches used by prior rules');
  });
  return prefixes;
}

function routeName(rule: JsonObject, index: number, http: boolean): string {
  const name = http ? asString(rule['name']) : undefined;
  return name ? goQuote(name) : `#${index}`;
}

function matchName(match: JsonValue, index: number, http: boolean): string {
  const name = http ? asString(field(match, 'name')) : undefined;
  return name ? goQuote(name) : `#${index}`;
}

function withoutFields(value: JsonValue, ...fields: string[]): JsonValue {
  const object = asObject(value);
  if (!object) return value;
  return Object.fromEntries(Object.entries(object).filter(([key]) => !fields.includes(key)));
}

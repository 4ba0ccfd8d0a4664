/**
 * The value of `--jwt-rule`: which OIDC issuer tsiod trusts for CA and xDS
 * callers outside Kubernetes, where its keys are, and which audiences a token
 * must carry (istiod's JWT_RULE / --jwtRule).
 *
 *   issuer=https://issuer.example,jwks=https://issuer.example/keys,audiences=istio-ca
 *   issuer=https://issuer.example,jwks=/etc/tsiod/jwks.json,audiences=istio-ca,other
 *   {"issuer":"https://issuer.example","jwks_uri":"https://issuer.example/keys","audiences":["istio-ca"]}
 *
 * jwks is an http(s) URL, a file holding a JWKS, or the JWKS JSON itself.
 * Once audiences= has started, further comma-separated words are more
 * audiences; without audiences= a token must be for istio-ca.
 */
import type { JSONWebKeySet } from 'jose';

export type JwksSource =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'inline'; readonly jwks: JSONWebKeySet };

export interface JwtRule {
  readonly issuer: string;
  readonly jwks: JwksSource;
  readonly audiences: readonly string[];
}

export const DEFAULT_JWT_AUDIENCES: readonly string[] = ['istio-ca'];

export class JwtRuleError extends Error {
  constructor(value: string, problem: string) {
    super(`--jwt-rule ${describeValue(value)}: ${problem}`);
    this.name = 'JwtRuleError';
  }
}

/** The flag's value for an error message; inline JSON is not echoed, since a mistaken paste may hold a private key. */
function describeValue(value: string): string {
  if (value.includes('{') || /PRIVATE KEY/i.test(value)) return '(inline JSON, not shown)';
  return JSON.stringify(clip(value));
}

function clip(value: string): string {
  return value.length > 200 ? `${value.slice(0, 200)}…` : value;
}

const KEYS = ['issuer', 'jwks', 'audiences'] as const;
type Key = (typeof KEYS)[number];

export function parseJwtRule(value: string): JwtRule {
  const text = value.trim();
  if (text === '') throw new JwtRuleError(value, 'empty; expected issuer=<url>,jwks=<url|file>[,audiences=<aud>[,<aud>...]]');
  return text.startsWith('{') ? parseJsonRule(value, text) : parseKeyValueRule(value, text);
}

function parseKeyValueRule(value: string, text: string): JwtRule {
  const fields: { issuer?: string; jwks?: string; audiences?: string[] } = {};
  let last: Key | undefined;
  for (const [index, rawSegment] of text.split(',').entries()) {
    const segment = rawSegment.trim();
    const eq = segment.indexOf('=');
    const key = eq > 0 ? segment.slice(0, eq).trim() : '';
    if ((KEYS as readonly string[]).includes(key)) {
      const k = key as Key;
      if (fields[k] !== undefined) throw new JwtRuleError(value, `${k}= is given twice`);
      const v = segment.slice(eq + 1).trim();
      if (v === '') throw new JwtRuleError(value, `${k}= has no value`);
      if (k === 'audiences') fields.audiences = [v];
      else fields[k] = v;
      last = k;
      continue;
    }
    if (last === 'audiences' && segment !== '' && eq < 0) {
      fields.audiences?.push(segment);
      continue;
    }
    const what = segment === '' ? 'an empty item' : /PRIVATE KEY/i.test(segment) ? 'private key material (not shown)' : `"${clip(segment)}"`;
    throw new JwtRuleError(value, `item ${index + 1} is ${what}; expected one of ${KEYS.map((k) => `${k}=`).join(', ')}`);
  }
  if (fields.issuer === undefined) throw new JwtRuleError(value, 'issuer= is required');
  if (fields.jwks === undefined) throw new JwtRuleError(value, 'jwks= is required (a JWKS URL, file or inline JSON)');
  return { issuer: checkIssuer(value, fields.issuer), jwks: jwksSource(value, fields.jwks), audiences: fields.audiences ?? DEFAULT_JWT_AUDIENCES };
}

function parseJsonRule(value: string, text: string): JwtRule {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new JwtRuleError(value, `not valid JSON (${(error as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new JwtRuleError(value, 'JSON form must be an object');
  const o = parsed as Record<string, unknown>;
  const issuer = o['issuer'];
  if (typeof issuer !== 'string' || issuer === '') throw new JwtRuleError(value, '"issuer" (a string) is required');
  const uri = o['jwks_uri'] ?? o['jwksUri'];
  const inline = o['jwks'];
  let jwks: JwksSource;
  if (typeof uri === 'string' && uri !== '') jwks = jwksSource(value, uri);
  else if (typeof inline === 'string' && inline !== '') jwks = jwksSource(value, inline);
  else if (inline && typeof inline === 'object') jwks = { kind: 'inline', jwks: checkJwks(value, inline) };
  else throw new JwtRuleError(value, '"jwks_uri" (or "jwks") is required');
  const audiences = o['audiences'];
  if (audiences !== undefined && (!Array.isArray(audiences) || !audiences.every((a) => typeof a === 'string' && a !== ''))) {
    throw new JwtRuleError(value, '"audiences" must be a list of non-empty strings');
  }
  return { issuer: checkIssuer(value, issuer), jwks, audiences: audiences?.length ? (audiences as string[]) : DEFAULT_JWT_AUDIENCES };
}

function checkIssuer(value: string, issuer: string): string {
  if (/\s/.test(issuer)) throw new JwtRuleError(value, 'issuer contains whitespace');
  return issuer;
}

function jwksSource(value: string, jwks: string): JwksSource {
  if (/^https?:\/\//i.test(jwks)) {
    try {
      return { kind: 'url', url: new URL(jwks).toString() };
    } catch {
      throw new JwtRuleError(value, `jwks "${clip(jwks)}" is not a valid URL`);
    }
  }
  if (jwks.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(jwks);
    } catch (error) {
      throw new JwtRuleError(value, `inline jwks is not valid JSON (${(error as Error).message})`);
    }
    return { kind: 'inline', jwks: checkJwks(value, parsed) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(jwks)) throw new JwtRuleError(value, `jwks "${clip(jwks)}": only http:// and https:// URLs are supported`);
  return { kind: 'file', path: jwks };
}

/** A JSON Web Key Set: {"keys": [ {...}, ... ]}, checked enough to give a clear error here rather than at the first token. */
export function checkJwks(value: string, parsed: unknown): JSONWebKeySet {
  const keys = parsed && typeof parsed === 'object' ? (parsed as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0) throw new JwtRuleError(value, 'a JWKS must be an object with a non-empty "keys" list');
  for (const [i, key] of keys.entries()) {
    if (!key || typeof key !== 'object' || typeof (key as { kty?: unknown }).kty !== 'string') {
      throw new JwtRuleError(value, `JWKS key ${i + 1} has no "kty"`);
    }
    // A private member in a published key set is a leak waiting to happen; refuse it rather than use it.
    if ('d' in key) throw new JwtRuleError(value, `JWKS key ${i + 1} contains private key material ("d"); publish only public keys`);
  }
  return parsed as JSONWebKeySet;
}

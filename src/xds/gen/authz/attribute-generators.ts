/**
 * One Envoy RBAC matcher per AuthorizationPolicy attribute (Istio's
 * authz/model generators). Each attribute is on the permission side (what
 * is asked: port, path, method, host, destination IP, SNI, filter
 * metadata) or the principal side (who asks: peer identity, source IPs,
 * request headers, JWT claims). Plain generators make one matcher per
 * value; "extended" ones (JWT attributes, filter metadata) one matcher for
 * the whole list.
 *
 * A generator throws an AttributeError for a value it cannot express,
 * notably an HTTP-only attribute on a TCP filter chain; the rule model
 * decides what that means for the policy's action.
 */
import { cidrRange } from './cidr-range.js';
import { JWT_AUTHN_FILTER, JWT_PAYLOAD_METADATA_KEY } from './filter-names.js';
import {
  containsPathTemplate,
  exactMatcher,
  headerMatcher,
  hostMatcher,
  listOrValueMatcher,
  MATCH_ANY_REGEX,
  metadataMatcher,
  orValueMatcher,
  pathMatcher,
  pathTemplateMatcher,
  prefixMatcher,
  quoteMeta,
  regexMatcher,
  stringMatcher,
  stringOrMatcher,
  suffixMatcher,
  type EnvoyMessage,
} from './matchers.js';

export class AttributeError extends Error {
  override readonly name = 'AttributeError';
}

export type Side = 'permission' | 'principal';

export interface AttributeGenerator {
  readonly side: Side;
  /** True: `generate` gets every value at once; false: one value at a time. */
  readonly extended: boolean;
  /** The matcher for `values` (one value unless extended); undefined when there is nothing to match. */
  generate(key: string, values: readonly string[], forTCP: boolean): EnvoyMessage | undefined;
}

/** Istio's attribute names: `when` keys, and the keys it files source and operation fields under. */
export const ATTR = {
  requestHeader: 'request.headers',
  sourceIp: 'source.ip',
  remoteIp: 'remote.ip',
  sourceNamespace: 'source.namespace',
  sourceServiceAccount: 'source.serviceAccount',
  sourceTrustDomain: 'source.trustDomain',
  sourcePrincipal: 'source.principal',
  requestPrincipal: 'request.auth.principal',
  requestAudiences: 'request.auth.audiences',
  requestPresenter: 'request.auth.presenter',
  requestClaims: 'request.auth.claims',
  destinationIp: 'destination.ip',
  destinationPort: 'destination.port',
  connectionSni: 'connection.sni',
  envoyFilter: 'experimental.envoy.filters.',
  method: ':method',
  path: 'path-matcher',
  host: ':authority',
} as const;

function only(values: readonly string[]): string {
  return values[0] as string;
}

function httpOnly(key: string, forTCP: boolean): void {
  if (forTCP) throw new AttributeError(`"${key}" is HTTP only`);
}

function cidrOf(value: string): EnvoyMessage {
  const range = cidrRange(value);
  if (!range) throw new AttributeError(`invalid IP address or CIDR range ${JSON.stringify(value)}`);
  return range;
}

/** The peer's identity as the mTLS handshake proved it (Istio's principalAuthenticated outside waypoints). */
function authenticated(principalName: EnvoyMessage): EnvoyMessage {
  return { authenticated: { principalName } };
}

function plain(side: Side, one: (key: string, value: string, forTCP: boolean) => EnvoyMessage): AttributeGenerator {
  return { side, extended: false, generate: (key, values, forTCP) => one(key, only(values), forTCP) };
}

function extended(side: Side, all: (key: string, values: readonly string[], forTCP: boolean) => EnvoyMessage | undefined): AttributeGenerator {
  return { side, extended: true, generate: all };
}

/** "name[key]" → "key" (request.headers[...], request.auth.claims[...]). */
function nameInBrackets(text: string): string {
  if (!text.startsWith('[') || !text.endsWith(']')) throw new AttributeError(`expecting format [<NAME>], but found ${text}`);
  return text.slice(1, -1);
}

/** "[a][b]" → ["a", "b"] for nested claims; anything else is one name in brackets. */
function namesInNestedBrackets(text: string): string[] {
  const names: string[] = [];
  let begin = 0;
  while (begin < text.length) {
    const end = text[begin] === '[' ? text.indexOf(']', begin + 1) : -1;
    if (end < 0 || text.slice(begin + 1, end).includes('[')) return [nameInBrackets(text)];
    names.push(text.slice(begin + 1, end));
    begin = end + 1;
  }
  return names;
}

function jwtClaimMatcher(claim: string, matcher: EnvoyMessage): EnvoyMessage {
  return { metadata: metadataMatcher(JWT_AUTHN_FILTER, [JWT_PAYLOAD_METADATA_KEY, claim], { stringMatch: matcher }) };
}

function jwtClaimsMatcher(claims: readonly string[], values: readonly string[]): EnvoyMessage {
  return { metadata: listOrValueMatcher(JWT_AUTHN_FILTER, [JWT_PAYLOAD_METADATA_KEY, ...claims], stringOrMatcher(values)) };
}

export const destinationIp = plain('permission', (_key, value) => ({ destinationIp: cidrOf(value) }));

export const destinationPort = plain('permission', (_key, value) => {
  if (!/^[0-9]+$/.test(value) || Number(value) > 65535) throw new AttributeError(`invalid port ${value}`);
  return { destinationPort: Number(value) };
});

export const connectionSni = plain('permission', (_key, value) => ({ requestedServerName: stringMatcher(value) }));

/** "experimental.envoy.filters.a.b[c]": the value at key c of filter a.b's dynamic metadata; "[v]" matches an element of a list. */
export const envoyFilter = extended('permission', (key, values) => {
  const inner = key.slice('experimental.'.length).replace(/\]$/, '');
  const open = inner.indexOf('[');
  if (open < 0) throw new AttributeError(`invalid key: ${key}`);
  const matchers = values.map((value) =>
    value.startsWith('[') && value.endsWith(']')
      ? { listMatch: { oneOf: { stringMatch: stringMatcher(value.slice(1, -1)) } } }
      : { stringMatch: stringMatcher(value) },
  );
  return { metadata: metadataMatcher(inner.slice(0, open), [inner.slice(open + 1)], orValueMatcher(matchers)) };
});

export const path = plain('permission', (key, value, forTCP) => {
  httpOnly(key, forTCP);
  return containsPathTemplate(value) ? { uriTemplate: pathTemplateMatcher(value) } : { urlPath: pathMatcher(value) };
});

export const method = plain('permission', (key, value, forTCP) => {
  httpOnly(key, forTCP);
  return { header: headerMatcher(ATTR.method, value) };
});

export const host = plain('permission', (key, value, forTCP) => {
  httpOnly(key, forTCP);
  return { header: hostMatcher(ATTR.host, value) };
});

/** The downstream connection's address (Envoy's direct_remote_ip). */
export const sourceIp = plain('principal', (_key, value) => ({ directRemoteIp: cidrOf(value) }));

/** The original client, from X-Forwarded-For or the PROXY protocol (Envoy's remote_ip). */
export const remoteIp = plain('principal', (_key, value) => ({ remoteIp: cidrOf(value) }));

export const sourceNamespace = plain('principal', (_key, value) => {
  const namespace = value.split('*').map(quoteMeta).join('.*');
  return authenticated(regexMatcher(`.*/ns/${namespace}/.*`));
});

export const sourceTrustDomain = plain('principal', (_key, value) => {
  if (value === '*') return authenticated(prefixMatcher('spiffe://'));
  if (!value.includes('*')) return authenticated(prefixMatcher(`spiffe://${value}/`));
  const star = value.indexOf('*');
  return authenticated(regexMatcher(`spiffe://${quoteMeta(value.slice(0, star))}[^/]*${quoteMeta(value.slice(star + 1))}/.*`));
});

/** "sa" (in the policy's namespace) or "ns/sa"; the SPIFFE ID may carry more segments around /ns/ and /sa/. */
export function serviceAccount(policyNamespace: string): AttributeGenerator {
  return plain('principal', (_key, value) => {
    const slash = value.indexOf('/');
    const namespace = slash < 0 ? policyNamespace : value.slice(0, slash);
    const account = slash < 0 ? value : value.slice(slash + 1);
    return authenticated(regexMatcher(`spiffe://.+/ns/${quoteMeta(namespace)}/(.+/|)sa/${quoteMeta(account)}(/.+)?`));
  });
}

export const sourcePrincipal = plain('principal', (_key, value) => authenticated(stringMatcher(value, 'spiffe://')));

export const requestHeader = plain('principal', (key, value, forTCP) => {
  httpOnly(key, forTCP);
  return { header: headerMatcher(nameInBrackets(key.slice(ATTR.requestHeader.length)), value) };
});

/**
 * "<iss>/<sub>" against the token's iss and sub claims, split at the last
 * "/" (issuers are URLs). A "*" at either end of the value applies to the
 * side it is on.
 */
export const requestPrincipal = extended('principal', (key, values, forTCP) => {
  httpOnly(key, forTCP);
  const any = regexMatcher(MATCH_ANY_REGEX);
  const alternatives = values.map((value) => {
    const slash = value.lastIndexOf('/');
    const split = slash >= 0;
    const iss = split ? value.slice(0, slash) : value;
    const sub = split ? value.slice(slash + 1) : '';
    let matchIss: EnvoyMessage;
    let matchSub: EnvoyMessage;
    if (value === '*') {
      matchIss = any;
      matchSub = any;
    } else if (value.startsWith('*')) {
      matchIss = !split ? any : iss === '*' ? any : suffixMatcher(iss.slice(1));
      matchSub = split ? exactMatcher(sub) : suffixMatcher(value.slice(1));
    } else if (value.endsWith('*')) {
      matchIss = split ? exactMatcher(iss) : prefixMatcher(value.slice(0, -1));
      matchSub = !split ? any : sub === '*' ? any : prefixMatcher(sub.slice(0, -1));
    } else {
      matchIss = exactMatcher(iss);
      matchSub = exactMatcher(sub);
    }
    return { andIds: { ids: [jwtClaimMatcher('iss', matchIss), jwtClaimMatcher('sub', matchSub)] } };
  });
  if (alternatives.length === 0) return undefined;
  return alternatives.length === 1 ? alternatives[0] : { orIds: { ids: alternatives } };
});

export const requestAudiences = extended('principal', (key, values, forTCP) => {
  httpOnly(key, forTCP);
  return jwtClaimsMatcher(['aud'], values);
});

export const requestPresenter = extended('principal', (key, values, forTCP) => {
  httpOnly(key, forTCP);
  return jwtClaimsMatcher(['azp'], values);
});

export const requestClaims = extended('principal', (key, values, forTCP) => {
  httpOnly(key, forTCP);
  return jwtClaimsMatcher(namesInNestedBrackets(key.slice(ATTR.requestClaims.length)), values);
});

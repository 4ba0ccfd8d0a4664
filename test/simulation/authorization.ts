/**
 * "Is this request allowed?", answered from the filters of the chain a
 * request lands on, by Envoy's own rules for the filters tsiod emits:
 * jwt_authn (a presented token that no provider verifies is refused with
 * 401; a verified one's payload becomes the filter's dynamic metadata),
 * RBAC (ALLOW: some policy must match; DENY: none may; LOG only marks the
 * request; shadow rules are evaluated, recorded and never enforced) and
 * ext_authz (asked only when its filter_enabled_metadata matches, and
 * answering as the test says). A policy matches when any of its
 * permissions and any of its principals match (rbac.proto).
 *
 * This is an independent reading of the generated config: it knows
 * nothing of AuthorizationPolicy, only of Envoy's matchers. A matcher it
 * does not know is an error, never a silent match.
 */
import net from 'node:net';
import { matchFilterChain } from './match-filter-chain.js';
import { matchListener } from './match-listener.js';
import { normalizeRequest, type SimulatedRequest } from './request.js';
import { fullRegexMatches, headerMatches, stringMatches } from './string-matcher.js';
import { flag, indexResources, numeric, record, records, text, typeOf, type Json, type XdsResources } from './xds-view.js';

const HCM_TYPE = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const JWT_FILTER = 'envoy.filters.http.jwt_authn';

/** Who is asking, beyond what SimulatedRequest says about the request itself. */
export interface Caller {
  /** The downstream connection's address (RBAC direct_remote_ip). */
  readonly sourceIp: string;
  /** The original client (remote_ip: X-Forwarded-For or PROXY protocol); defaults to sourceIp. */
  readonly remoteIp?: string;
  /** The URI SAN of the client certificate the mTLS handshake verified; none for plaintext. */
  readonly peerPrincipal?: string;
  /** A token as jwt_authn would judge it: its verified payload, or 'invalid' when no provider can verify it. */
  readonly jwt?: Readonly<Record<string, unknown>> | 'invalid';
  /** What an ext_authz server answers when asked; allow by default. */
  readonly extAuthzAllows?: boolean;
}

export interface AuthorizationOutcome {
  readonly allowed: boolean;
  /** 401 (jwt_authn), 403 (RBAC or ext_authz denied), or 200 when allowed. */
  readonly status: 200 | 401 | 403;
  /** The filter that refused, with the policy that decided when there is one. */
  readonly deniedBy?: string;
  /** LOG (AUDIT) policies that matched. */
  readonly audited: readonly string[];
  /** Shadow policies that matched, by filter index. */
  readonly shadowMatches: readonly string[];
  /** Whether an ext_authz filter was consulted. */
  readonly extAuthzAsked: boolean;
  /** Every filter on the path, in order. */
  readonly filters: readonly string[];
}

interface Context {
  readonly http: boolean;
  readonly headers: ReadonlyMap<string, string>;
  readonly path: string;
  readonly destinationIp: string;
  readonly destinationPort: number;
  readonly sni: string | undefined;
  readonly caller: Caller;
  /** Dynamic metadata by filter name. */
  readonly metadata: Map<string, Record<string, unknown>>;
}

function ipToBigInt(address: string): { value: bigint; bits: number } | undefined {
  if (net.isIPv4(address)) return { value: address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n), bits: 32 };
  if (!net.isIPv6(address)) return undefined;
  const [head = '', tail = ''] = address.split('::');
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  const t = groups(tail);
  const all = address.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return { value: all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n), bits: 128 };
}

function cidrContains(range: Json | undefined, address: string): boolean {
  if (!range) return false;
  const base = ipToBigInt(text(range['addressPrefix']) ?? '');
  const ip = ipToBigInt(address);
  if (!base || !ip || base.bits !== ip.bits) return false;
  const length = numeric(range['prefixLen']) ?? 0;
  const shift = BigInt(ip.bits - length);
  return base.value >> shift === ip.value >> shift;
}

/** Envoy's ValueMatcher against a dynamic metadata value. */
function valueMatches(matcher: Json, value: unknown): boolean {
  const stringMatch = record(matcher['stringMatch']);
  if (stringMatch) return typeof value === 'string' && stringMatches(stringMatch, value);
  const list = record(matcher['listMatch']);
  if (list) return Array.isArray(value) && value.some((v) => valueMatches(record(list['oneOf']) ?? {}, v));
  const or = record(matcher['orMatch']);
  if (or) return records(or['valueMatchers']).some((m) => valueMatches(m, value));
  if (matcher['presentMatch'] !== undefined) return value !== undefined;
  if (matcher['boolMatch'] !== undefined) return value === matcher['boolMatch'];
  throw new Error(`unsupported ValueMatcher ${JSON.stringify(matcher)}`);
}

function metadataMatches(matcher: Json, context: Context): boolean {
  let value: unknown = context.metadata.get(text(matcher['filter']) ?? '');
  for (const segment of records(matcher['path'])) value = record(value)?.[text(segment['key']) ?? ''];
  const invert = flag(matcher['invert']) === true;
  return valueMatches(record(matcher['value']) ?? {}, value) !== invert;
}

/** Envoy's URI template matcher: "*" is one path segment, "**" any number of them. */
function templateMatches(template: string, path: string): boolean {
  const pattern = template
    .split('/')
    .map((segment) => (segment === '**' ? '.*' : segment === '*' ? '[^/]+' : segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return fullRegexMatches(pattern, path);
}

function permissionMatches(permission: Json, context: Context): boolean {
  if (flag(permission['any']) === true) return true;
  const and = record(permission['andRules']);
  if (and) return records(and['rules']).every((p) => permissionMatches(p, context));
  const or = record(permission['orRules']);
  if (or) return records(or['rules']).some((p) => permissionMatches(p, context));
  const not = record(permission['notRule']);
  if (not) return !permissionMatches(not, context);
  const header = record(permission['header']);
  if (header) return context.http && headerMatches(header, context.headers);
  const urlPath = record(permission['urlPath']);
  if (urlPath) return context.http && stringMatches(record(urlPath['path']) ?? {}, context.path);
  const template = record(record(permission['uriTemplate'])?.['typedConfig']);
  if (template) return context.http && templateMatches(text(template['pathTemplate']) ?? '', context.path);
  if (permission['destinationPort'] !== undefined) return numeric(permission['destinationPort']) === context.destinationPort;
  const destinationIp = record(permission['destinationIp']);
  if (destinationIp) return cidrContains(destinationIp, context.destinationIp);
  const sni = record(permission['requestedServerName']);
  if (sni) return stringMatches(sni, context.sni ?? '');
  const metadata = record(permission['metadata']);
  if (metadata) return metadataMatches(metadata, context);
  throw new Error(`unsupported RBAC permission ${JSON.stringify(permission)}`);
}

function principalMatches(principal: Json, context: Context): boolean {
  if (flag(principal['any']) === true) return true;
  const and = record(principal['andIds']);
  if (and) return records(and['ids']).every((p) => principalMatches(p, context));
  const or = record(principal['orIds']);
  if (or) return records(or['ids']).some((p) => principalMatches(p, context));
  const not = record(principal['notId']);
  if (not) return !principalMatches(not, context);
  const authenticated = record(principal['authenticated']);
  if (authenticated) {
    // Without a verified peer certificate nothing is authenticated; without a name any peer is.
    if (context.caller.peerPrincipal === undefined) return false;
    const name = record(authenticated['principalName']);
    return name ? stringMatches(name, context.caller.peerPrincipal) : true;
  }
  const direct = record(principal['directRemoteIp']);
  if (direct) return cidrContains(direct, context.caller.sourceIp);
  const remote = record(principal['remoteIp']);
  if (remote) return cidrContains(remote, context.caller.remoteIp ?? context.caller.sourceIp);
  const header = record(principal['header']);
  if (header) return context.http && headerMatches(header, context.headers);
  const metadata = record(principal['metadata']);
  if (metadata) return metadataMatches(metadata, context);
  throw new Error(`unsupported RBAC principal ${JSON.stringify(principal)}`);
}

/** The names of the policies of an RBAC config that match, in Envoy's (sorted) order. */
function matchingPolicies(rules: Json, context: Context): string[] {
  const policies = record(rules['policies']) ?? {};
  return Object.keys(policies)
    .sort()
    .filter((name) => {
      const policy = record(policies[name]) ?? {};
      return records(policy['permissions']).some((p) => permissionMatches(p, context)) && records(policy['principals']).some((p) => principalMatches(p, context));
    });
}

type Step = { readonly refuse?: { status: 401 | 403; by: string } };

function runRbac(name: string, config: Json, context: Context, outcome: { audited: string[]; shadow: string[] }): Step {
  const shadow = record(config['shadowRules']);
  if (shadow) {
    const matched = matchingPolicies(shadow, context);
    outcome.shadow.push(...matched);
    const prefix = text(config['shadowRulesStatPrefix']) ?? '';
    // Envoy records the matched shadow policy (for a shadow DENY that matched) as dynamic metadata, which ext_authz reads.
    const action = text(shadow['action']) ?? 'ALLOW';
    if (matched.length > 0 && action !== 'LOG') {
      const own = context.metadata.get(name) ?? {};
      own[`${prefix}shadow_effective_policy_id`] = matched[0];
      context.metadata.set(name, own);
    }
  }
  const rules = record(config['rules']);
  if (!rules) return {};
  const action = text(rules['action']) ?? 'ALLOW';
  const matched = matchingPolicies(rules, context);
  if (action === 'LOG') {
    outcome.audited.push(...matched);
    return {};
  }
  if (action === 'ALLOW') return matched.length > 0 ? {} : { refuse: { status: 403, by: `${name} (no ALLOW policy matched)` } };
  return matched.length > 0 ? { refuse: { status: 403, by: `${name} ${matched[0]}` } } : {};
}

function evaluate(filters: readonly Json[], context: Context): AuthorizationOutcome {
  const names = filters.map((f) => text(f['name']) ?? '');
  const seen = { audited: [] as string[], shadow: [] as string[] };
  let extAuthzAsked = false;
  const refuse = (status: 401 | 403, by: string): AuthorizationOutcome => ({
    allowed: false,
    status,
    deniedBy: by,
    audited: seen.audited,
    shadowMatches: seen.shadow,
    extAuthzAsked,
    filters: names,
  });
  for (const filter of filters) {
    const name = text(filter['name']) ?? '';
    const config = record(filter['typedConfig']) ?? {};
    const type = typeOf(config) ?? '';
    if (name === JWT_FILTER) {
      if (context.caller.jwt === 'invalid') return refuse(401, name);
      if (context.caller.jwt) context.metadata.set(name, { payload: context.caller.jwt });
    } else if (type.endsWith('.rbac.v3.RBAC')) {
      const step = runRbac(name, config, context, seen);
      if (step.refuse) return refuse(step.refuse.status, step.refuse.by);
    } else if (type.endsWith('.ext_authz.v3.ExtAuthz')) {
      const enabled = record(config['filterEnabledMetadata']);
      if (!enabled || metadataMatches(enabled, context)) {
        extAuthzAsked = true;
        if (context.caller.extAuthzAllows === false) return refuse(403, name);
      }
    }
  }
  return { allowed: true, status: 200, audited: seen.audited, shadowMatches: seen.shadow, extAuthzAsked, filters: names };
}

/**
 * Sends `request` (as `simulate` would) from `caller` and runs the
 * authentication and authorization filters of the chain it lands on: the
 * HTTP connection manager's HTTP filters for an HTTP chain, the chain's
 * network filters otherwise.
 */
export function authorize(resources: XdsResources, input: SimulatedRequest, caller: Caller): AuthorizationOutcome {
  const view = indexResources(resources);
  const request = normalizeRequest(input);
  const listener = matchListener(view.listeners, request);
  const chain = matchFilterChain(listener, request, request.address).chain;
  const networkFilters = records(chain['filters']);
  const hcm = networkFilters.map((f) => record(f['typedConfig'])).find((c) => typeOf(c) === HCM_TYPE);
  const context: Context = {
    http: hcm !== undefined,
    headers: request.headers,
    path: request.path.split('?')[0] ?? '',
    destinationIp: request.address,
    destinationPort: request.port,
    sni: request.sni,
    caller,
    metadata: new Map(),
  };
  return evaluate(hcm ? records(hcm['httpFilters']) : networkFilters, context);
}

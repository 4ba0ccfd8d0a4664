/**
 * Value rules for AuthorizationPolicy sources, operations and conditions,
 * after Istio's pkg/config/security (CheckEmptyValues, CheckServiceAccount,
 * CheckTrustDomainValues, ValidateIPs, ValidatePorts, CheckValidPathTemplate,
 * ValidateAttribute). Each returns a problem message, or undefined.
 */
import { isIpAddress } from './names.js';

const MATCH_ONE_TEMPLATE = '{*}';
const MATCH_ANY_TEMPLATE = '{**}';
/** RFC 3986 pchar, which Envoy requires of the literal segments of a path template. */
const PATH_LITERAL = /^[a-zA-Z0-9-._~%!$&'()+,;:@=]+$/;
const MAX_SERVICE_ACCOUNTS = 16;

/** `field` is Istio's name for the list in its messages ("Principals", "NotHosts", ...). */
export function emptyValueProblem(field: string, values: readonly string[]): string | undefined {
  return values.includes('') ? `empty value not allowed, found in ${field}` : undefined;
}

/** Exact, prefix (foo*), suffix (*foo) or presence (*): at most one wildcard, at an end. */
export function wildcardValuesProblem(field: string, values: readonly string[]): string | undefined {
  const empty = emptyValueProblem(field, values);
  if (empty) return empty;
  for (const value of values) {
    const count = value.split('*').length - 1;
    if (count > 1) return `at most one wildcard is allowed, found in ${field}: ${JSON.stringify(value)}`;
    if (count === 1 && value !== '*' && !value.startsWith('*') && !value.endsWith('*')) {
      return `wildcard is only allowed at the start or end, found in ${field}: ${JSON.stringify(value)}`;
    }
  }
  return undefined;
}

export function trustDomainsProblem(field: string, values: readonly string[]): string | undefined {
  const wildcard = wildcardValuesProblem(field, values);
  if (wildcard) return wildcard;
  const slashed = values.find((v) => v.includes('/'));
  return slashed === undefined ? undefined : `trust domain must not contain '/', found in ${field}: ${JSON.stringify(slashed)}`;
}

/** "serviceAccount" or "namespace/serviceAccount", no wildcards, at most 16 of them. */
export function serviceAccountsProblem(field: string, values: readonly string[]): string | undefined {
  if (values.length > MAX_SERVICE_ACCOUNTS) return `may not have more than ${MAX_SERVICE_ACCOUNTS} values`;
  for (const value of values) {
    if (value === '') return `empty value not allowed, found in ${field}`;
    if (value.includes('*')) return `wildcard not allowed, found in ${field}`;
    const slashes = value.split('/').length - 1;
    if (slashes > 1) return `expected format 'serviceAccount' or 'namespace/serviceAccount', found ${JSON.stringify(value)} in ${field}`;
    if (value.length > 320) return `value cannot exceed 320 characters, found ${JSON.stringify(value)} in ${field}`;
    if (slashes === 1) {
      const [namespace, account] = value.split('/');
      if (namespace === '') {
        return `expected format 'serviceAccount' or 'namespace/serviceAccount', found empty namespace ${JSON.stringify(value)} in ${field}`;
      }
      if (account === '') {
        return `expected format 'serviceAccount' or 'namespace/serviceAccount', found empty serviceAccount ${JSON.stringify(value)} in ${field}`;
      }
    }
  }
  return undefined;
}

/** ValidateIPs: each value an IP address or a CIDR range (netip.ParseAddr / ParsePrefix). */
export function ipProblems(values: readonly string[]): string[] {
  const problems: string[] = [];
  for (const value of values) {
    const slash = value.indexOf('/');
    if (slash < 0) {
      if (!isIpAddress(value)) problems.push(`bad IP address (${value})`);
      continue;
    }
    const address = value.slice(0, slash);
    const bits = value.slice(slash + 1);
    const max = address.includes(':') ? 128 : 32;
    if (!isIpAddress(address)) problems.push(`bad CIDR range (${value}): invalid IP address ${JSON.stringify(address)}`);
    else if (!/^(0|[1-9]\d*)$/.test(bits)) problems.push(`bad CIDR range (${value}): bad bits after slash: ${JSON.stringify(bits)}`);
    else if (Number(bits) > max) problems.push(`bad CIDR range (${value}): prefix length out of range`);
  }
  return problems;
}

/** ValidatePorts: decimal numbers 0..65535. */
export function portProblems(values: readonly string[]): string[] {
  const problems: string[] = [];
  for (const value of values) {
    if (!/^\d+$/.test(value)) problems.push(`bad port (${value}): strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`);
    else if (Number(value) > 65535) problems.push(`bad port (${value}): must be in the range 0..65535`);
  }
  return problems;
}

/** CheckValidPathTemplate: {*} and {**} must be whole segments, {**} last, and a templated path's literals valid pchars. */
export function pathTemplateProblem(field: string, paths: readonly string[]): string | undefined {
  for (const original of paths) {
    const templated = original.includes(MATCH_ONE_TEMPLATE) || original.includes(MATCH_ANY_TEMPLATE);
    const path = original.replace(/^\/+|\/+$/g, '');
    let matchAnySeen = false;
    for (const glob of path.split('/')) {
      if (glob === MATCH_ONE_TEMPLATE && !matchAnySeen) continue;
      if (glob === MATCH_ANY_TEMPLATE && !matchAnySeen) {
        matchAnySeen = true;
        continue;
      }
      if ((glob === MATCH_ANY_TEMPLATE || glob === MATCH_ONE_TEMPLATE) && matchAnySeen) {
        return `invalid or unsupported path ${path}, found in ${field}. {**} is not the last operator`;
      }
      if (glob.includes('{') || glob.includes('}')) {
        return `invalid or unsupported path ${path}, found in ${field}. Contains '{' or '}' beyond a supported path template`;
      }
      if (templated && !PATH_LITERAL.test(glob)) {
        return `invalid or unsupported path ${path}, found in ${field}. Contains segment ${glob} with invalid string literal`;
      }
    }
  }
  return undefined;
}

/** "name[key]" for the map-valued attributes (request.headers[...], request.auth.claims[...]). */
function mapKeyProblem(key: string): string | undefined {
  const open = key.indexOf('[');
  return key.endsWith(']') && open > 0 && open < key.length - 2 ? undefined : `bad key (${key}): should have format a[b]`;
}

/** ValidateAttribute: the condition key must be one Istio knows, and its values fit it. */
export function attributeProblem(key: string, values: readonly string[]): string | undefined {
  const empty = emptyValueProblem(key, values);
  if (empty) return empty;
  if (key.startsWith('request.headers')) return mapKeyProblem(key);
  switch (key) {
    case 'source.ip':
    case 'remote.ip':
    case 'destination.ip':
      return ipProblems(values).join('; ') || undefined;
    case 'source.serviceAccount':
      return serviceAccountsProblem(key, values);
    case 'source.trustDomain':
      return wildcardValuesProblem(key, values);
    case 'destination.port':
      return portProblems(values).join('; ') || undefined;
    case 'source.namespace':
    case 'source.principal':
    case 'request.auth.principal':
    case 'request.auth.audiences':
    case 'request.auth.presenter':
    case 'connection.sni':
      return undefined;
    case 'destination.namespace':
      return `attribute ${key} is replaced by the metadata.namespace`;
    case 'destination.name':
    case 'destination.user':
      return `deprecated attribute ${key}: only supported in v1alpha1`;
  }
  if (key.startsWith('request.auth.claims')) return mapKeyProblem(key);
  if (key.startsWith('experimental.envoy.filters.')) return mapKeyProblem(key);
  if (key.startsWith('destination.labels')) return `attribute ${key} is replaced by the workload selector`;
  return `unknown attribute: ${key}`;
}

/**
 * Name, host, address and port rules as Istio's webhook spells them
 * (pkg/config/validation/agent and pkg/config/labels), for the validators
 * that report Istio's own messages. Each returns the problems it finds; an
 * empty list means valid.
 */
import { parseDurationMs } from '../duration.js';
import { isIpAddress } from './names.js';

/** Istio's DNS-1123 label (pkg/config/labels.IsDNS1123Label): unlike Kubernetes' check it accepts upper case. */
const ISTIO_DNS1123_LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
/** A DNS-1123 label optionally prefixed by "*" or "*-", or "*" alone (labels.IsWildcardDNS1123Label). */
const ISTIO_WILDCARD_LABEL = /^(\*|(\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;

export const UNIX_ADDRESS_PREFIX = 'unix://';

export function isIstioDns1123Label(value: string): boolean {
  return value.length <= 63 && ISTIO_DNS1123_LABEL.test(value);
}

/** agent.ValidatePort. */
export function portProblem(port: number): string | undefined {
  return port >= 1 && port <= 65535 ? undefined : `port number ${port} must be in the range 1..65535`;
}

/** ValidatePortName. */
export function portNameProblem(name: string): string | undefined {
  return isIstioDns1123Label(name) ? undefined : `invalid port name: ${name}`;
}

/** agent.ValidateIPAddress (netip.ParseAddr). */
export function ipAddressProblem(address: string): string | undefined {
  return isIpAddress(address) ? undefined : `${address} is not a valid IP`;
}

/** ValidateUnixAddress, for the part after "unix://": an abstract socket (@name) or an absolute file path. */
export function unixAddressProblem(address: string): string | undefined {
  if (address.length === 0) return 'unix address must not be empty';
  if (address.startsWith('@')) return undefined;
  if (!address.startsWith('/') || address.endsWith('/')) return `${address} is not an absolute path to a file`;
  return undefined;
}

/** agent.CheckDNS1123Preconditions. */
function dnsPreconditionProblem(name: string): string | undefined {
  if (name.length > 255) return `domain name ${JSON.stringify(name)} too long (max 255)`;
  if (name.length === 0) return 'empty domain name not allowed';
  return undefined;
}

/** agent.ValidateDNS1123Labels: a trailing dot is allowed; the top-level domain may not be all digits. */
function dnsLabelsProblem(domain: string): string | undefined {
  const parts = domain.split('.');
  const topLevel = parts[parts.length - 1] ?? '';
  // strconv.Atoi succeeds on an optionally signed run of digits.
  if (/^[+-]?\d+$/.test(topLevel)) {
    return `domain name ${JSON.stringify(domain)} invalid (top level domain ${JSON.stringify(topLevel)} cannot be all-numeric)`;
  }
  for (const [i, label] of parts.entries()) {
    if (i === parts.length - 1 && label === '') return undefined;
    if (!isIstioDns1123Label(label)) return `domain name ${JSON.stringify(domain)} invalid (label ${JSON.stringify(label)} invalid)`;
  }
  return undefined;
}

/** agent.ValidateFQDN. */
export function fqdnProblem(fqdn: string): string | undefined {
  return dnsPreconditionProblem(fqdn) ?? dnsLabelsProblem(fqdn);
}

/** agent.ValidateWildcardDomain: a wildcard is allowed in the first label only. */
export function istioWildcardDomainProblem(domain: string): string | undefined {
  const precondition = dnsPreconditionProblem(domain);
  if (precondition) return precondition;
  const dot = domain.indexOf('.');
  const first = dot >= 0 ? domain.slice(0, dot) : domain;
  if (first.length > 63 || !ISTIO_WILDCARD_LABEL.test(first)) {
    return `domain name ${JSON.stringify(domain)} invalid (label ${JSON.stringify(first)} invalid)`;
  }
  return dot >= 0 ? dnsLabelsProblem(domain.slice(dot + 1)) : undefined;
}

/** agent.validateSidecarOrGatewayHostnamePart: the dnsName of a "namespace/dnsName" host. Gateways also accept an IP. */
function hostnamePartProblems(hostname: string, isGateway: boolean): string[] {
  const problems: string[] = [];
  if (hostname !== '*' && !hostname.includes('.')) problems.push('short names (non FQDN) are not allowed');
  const domain = istioWildcardDomainProblem(hostname);
  if (domain && !(isGateway && isIpAddress(hostname))) problems.push(domain);
  // agent.ValidatePartialWildCard
  if (hostname.includes('*') && hostname.length !== 1 && !hostname.startsWith('*.')) {
    problems.push(`partial wildcard ${JSON.stringify(hostname)} not allowed`);
  }
  return problems;
}

/**
 * agent.ValidateNamespaceSlashWildcardHostname. A Gateway host is
 * "namespace/dnsName" with the namespace "*", "." or a DNS label, or a bare
 * dnsName; a Sidecar egress host must have the namespace part, which may
 * also be "~"-prefixed to exclude it.
 */
export function namespacedHostProblems(host: string, isGateway: boolean): string[] {
  const slash = host.indexOf('/');
  if (slash < 0) return isGateway ? hostnamePartProblems(host, true) : ['host must be of form namespace/dnsName'];
  const namespace = host.slice(0, slash);
  const dnsName = host.slice(slash + 1);
  if (namespace === '' || dnsName === '') return ['config namespace and dnsName in host entry cannot be empty'];
  const problems: string[] = [];
  if (isGateway) {
    if (namespace !== '*' && namespace !== '.' && !isIstioDns1123Label(namespace)) {
      problems.push(`invalid namespace value ${JSON.stringify(namespace)} in gateway`);
    }
  } else {
    const included = namespace.startsWith('~') ? namespace.slice(1) : namespace;
    if (included !== '' && included !== '*' && included !== '.' && !isIstioDns1123Label(included)) {
      problems.push(`invalid namespace value ${JSON.stringify(namespace)} in sidecar`);
    }
  }
  problems.push(...hostnamePartProblems(dnsName, isGateway));
  return problems;
}

/** agent.ValidateDuration, for a duration written as text ("1.5s", "100ms"). */
export function durationProblem(text: string): string | undefined {
  const ms = parseDurationMs(text);
  if (ms === undefined) return `${JSON.stringify(text)} is not a duration such as 1.5s or 100ms`;
  if (ms < 1) return 'duration must be greater than 1ms';
  if (Math.abs(ms - Math.round(ms)) > 1e-9) return 'only durations to ms precision are supported';
  return undefined;
}

/** Go's net.SplitHostPort, with its error wording ("address x: missing port in address"). */
export function splitHostPort(address: string): { host: string; port: string } | { error: string } {
  const fail = (reason: string): { error: string } => ({ error: `address ${address}: ${reason}` });
  const lastColon = address.lastIndexOf(':');
  if (lastColon < 0) return fail('missing port in address');
  let host: string;
  let openFrom = 0;
  let closeFrom = 0;
  if (address.startsWith('[')) {
    const end = address.indexOf(']');
    if (end < 0) return fail("missing ']' in address");
    if (end + 1 === address.length) return fail('missing port in address');
    if (end + 1 !== lastColon) return fail(address[end + 1] === ':' ? 'too many colons in address' : 'missing port in address');
    host = address.slice(1, end);
    openFrom = 1;
    closeFrom = end + 1;
  } else {
    host = address.slice(0, lastColon);
    if (host.includes(':')) return fail('too many colons in address');
  }
  if (address.indexOf('[', openFrom) >= 0) return fail("unexpected '[' in address");
  if (address.indexOf(']', closeFrom) >= 0) return fail("unexpected ']' in address");
  return { host, port: address.slice(lastColon + 1) };
}

/** Go's strconv.ParseBool. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** Kubernetes and Istio name rules shared by the validators. */
import type { ErrorList } from './error-list.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

/** An FQDN-ish host: labels separated by dots, 255 characters at most (Istio's ValidateFQDN, without the wildcard). */
export function isDnsName(value: string): boolean {
  if (value.length === 0 || value.length > 255) return false;
  const trimmed = value.endsWith('.') ? value.slice(0, -1) : value;
  return trimmed.split('.').every((label) => label.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$/.test(label));
}

/** Istio's wildcard domain: "*", or "*.rest" / "*rest" prefix wildcard followed by DNS labels, or a plain DNS name. */
export function wildcardDomainProblem(host: string): string | undefined {
  if (host === '') return 'host must not be empty';
  if (host === '*') return undefined;
  let rest = host;
  if (rest.startsWith('*')) {
    rest = rest.slice(1);
    if (rest.startsWith('.')) rest = rest.slice(1);
    if (rest === '') return undefined;
  }
  if (rest.includes('*')) return `host ${host} may only have a wildcard as its first character`;
  return isDnsName(rest) ? undefined : `host ${host} is not a valid domain name`;
}

export function isIpAddress(value: string): boolean {
  if (IPV4.test(value)) return true;
  // IPv6: URL parsing normalises and validates it, without pulling in a dependency.
  if (!value.includes(':')) return false;
  try {
    return new URL(`http://[${value}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

/** Kubernetes label rules (keys may have a DNS-subdomain prefix). */
export function checkLabels(errors: ErrorList, labels: Readonly<Record<string, string>>, path: string): void {
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.indexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (key === '') errors.add(path, 'label key must not be empty');
    else if ((prefix !== undefined && !isDnsName(prefix)) || name.length > 63 || !LABEL_NAME.test(name)) {
      errors.add(`${path}.${key}`, `invalid label key ${JSON.stringify(key)}`);
    }
    if (value.length > 63 || !LABEL_VALUE.test(value)) errors.add(`${path}.${key}`, `invalid label value ${JSON.stringify(value)}`);
  }
}

export function checkPortNumber(errors: ErrorList, port: number | undefined, path: string): void {
  if (port === undefined) errors.add(path, 'port number is required');
  else if (port < 1 || port > 65535) errors.add(path, `port ${port} must be between 1 and 65535`);
}

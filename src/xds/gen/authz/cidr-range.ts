/**
 * An AuthorizationPolicy IP or CIDR value as an envoy.config.core.v3
 * CidrRange (Istio's AddrStrToCidrRange): a bare address is a /32 or /128;
 * a CIDR keeps its address as written (Envoy masks it), IPv6 in its
 * canonical form.
 */
import type { EnvoyMessage } from './matchers.js';

function canonicalAddress(address: string): string | undefined {
  if (!address.includes(':')) return /^\d{1,3}(\.\d{1,3}){3}$/.test(address) ? address : undefined;
  // An embedded IPv4 tail is kept as written: the URL parser would rewrite it as hex groups, Go does not.
  if (address.includes('.')) return address.toLowerCase();
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}

/** Undefined for a value that is neither an address nor a CIDR range (validation refuses those first). */
export function cidrRange(value: string): EnvoyMessage | undefined {
  const slash = value.indexOf('/');
  const address = canonicalAddress(slash < 0 ? value : value.slice(0, slash));
  if (address === undefined) return undefined;
  const max = address.includes(':') ? 128 : 32;
  const bits = slash < 0 ? max : Number(value.slice(slash + 1));
  if (!Number.isInteger(bits) || bits < 0 || bits > max) return undefined;
  // A zero prefix length is the wrapper's default: Envoy reads an absent one as 0.
  return bits === 0 ? { addressPrefix: address } : { addressPrefix: address, prefixLen: { value: bits } };
}

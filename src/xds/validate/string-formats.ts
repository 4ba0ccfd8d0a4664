/**
 * The string formats PGV knows by name (`hostname`, `ip`, `address`, `email`,
 * `uri`, `uri_ref`, `uuid`, `well_known_regex`), written to PGV's own
 * definitions so that tsiod refuses exactly what Envoy would.
 */
import net from 'node:net';

/** PGV's hostname: at most 253 characters, dot-separated labels of 1-63 letters, digits and inner hyphens. */
export function isHostname(value: string): boolean {
  const host = (value.endsWith('.') ? value.slice(0, -1) : value).toLowerCase();
  if (value.length > 253) return false;
  for (const label of host.split('.')) {
    if (label.length === 0 || label.length > 63) return false;
    if (label.startsWith('-') || label.endsWith('-')) return false;
    if (!/^[a-z0-9-]+$/.test(label)) return false;
  }
  return true;
}

export function isIp(value: string): boolean {
  return isIpv4(value) || isIpv6(value);
}

export function isIpv4(value: string): boolean {
  return net.isIPv4(value);
}

/** Go's net.ParseIP, which PGV uses, takes no zone suffix; Node's check does. */
export function isIpv6(value: string): boolean {
  return !value.includes('%') && net.isIPv6(value);
}

export function isAddress(value: string): boolean {
  return isIp(value) || isHostname(value);
}

/** PGV's email: an optional `Name <...>` wrapper, a local part of at most 64 characters, and a hostname. */
export function isEmail(value: string): boolean {
  let addr = value;
  const angled = /<([^<>]*)>\s*$/.exec(value);
  if (angled) addr = angled[1]!;
  const at = addr.lastIndexOf('@');
  if (at <= 0 || at > 64 || /\s/.test(addr)) return false;
  return isHostname(addr.slice(at + 1));
}

export function isAbsoluteUri(value: string): boolean {
  return URL.canParse(value);
}

export function isUriReference(value: string): boolean {
  return URL.canParse(value, 'http://uri-reference.invalid/');
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** PGV's regexes for `well_known_regex`; with `strict: false` both header kinds use the loose one. */
const HEADER_NAME_STRICT = /^:?[0-9a-zA-Z!#$%&'*+,\-.^_|~`]+$/;
const HEADER_VALUE_STRICT = /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;
const HEADER_STRING_LOOSE = /^[^\u0000\u000A\u000D]*$/;

export type KnownRegex = 'HTTP_HEADER_NAME' | 'HTTP_HEADER_VALUE';

export function knownRegex(kind: KnownRegex, strict: boolean): RegExp {
  if (!strict) return HEADER_STRING_LOOSE;
  return kind === 'HTTP_HEADER_NAME' ? HEADER_NAME_STRICT : HEADER_VALUE_STRICT;
}

/** `well_known_regex` as written in a proto: the enum name, or its number. */
export function parseKnownRegex(value: string | number | boolean): KnownRegex | undefined {
  if (value === 'HTTP_HEADER_NAME' || value === 1) return 'HTTP_HEADER_NAME';
  if (value === 'HTTP_HEADER_VALUE' || value === 2) return 'HTTP_HEADER_VALUE';
  return undefined;
}

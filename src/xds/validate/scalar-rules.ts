/**
 * Rules on strings, bytes, bools and enums. String lengths follow PGV:
 * `len`/`min_len`/`max_len` count characters (Unicode code points),
 * `*_bytes` count UTF-8 bytes.
 */
import protobuf from 'protobufjs';
import { translateRe2 } from './re2-pattern.js';
import { combineChecks, formatList, type RuleCheck, type ValueCheck } from './rule-check.js';
import { ruleBoolean, ruleList, ruleNumber, type RuleObject, type RuleValue } from './rule-options.js';
import {
  isAbsoluteUri, isAddress, isEmail, isHostname, isIp, isIpv4, isIpv6, isUriReference, isUuid, knownRegex, parseKnownRegex,
} from './string-formats.js';

const asString = (v: unknown): string => (typeof v === 'string' ? v : v == null ? '' : String(v));
const asBytes = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : typeof v === 'string' ? Buffer.from(v, 'base64') : new Uint8Array());
const strings = (v: RuleValue | undefined): string[] => ruleList(v).map(String);

function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
    }
  }
  return n;
}

export function compileStringRules(rules: RuleObject, rulePrefix: string): ValueCheck | undefined {
  const name = `${rulePrefix}string`;
  const checks: Array<RuleCheck<string>> = [];
  const num = (k: string): number | undefined => ruleNumber(rules[k]);
  const add = (key: string, message: string, ok: (v: string) => boolean): void => {
    checks.push({ rule: `${name}.${key}`, message, ok });
  };

  if (rules['const'] !== undefined) { const c = String(rules['const']); add('const', `value must equal ${JSON.stringify(c)}`, (v) => v === c); }
  const len = num('len');
  if (len !== undefined) add('len', `value length must be ${len} characters`, (v) => codePointLength(v) === len);
  const minLen = num('min_len');
  if (minLen !== undefined) add('min_len', `value length must be at least ${minLen} characters`, (v) => v.length >= minLen && (v.length >= 2 * minLen || codePointLength(v) >= minLen));
  const maxLen = num('max_len');
  if (maxLen !== undefined) add('max_len', `value length must be at most ${maxLen} characters`, (v) => codePointLength(v) <= maxLen);
  const lenBytes = num('len_bytes');
  if (lenBytes !== undefined) add('len_bytes', `value length must be ${lenBytes} bytes`, (v) => Buffer.byteLength(v, 'utf8') === lenBytes);
  const minBytes = num('min_bytes');
  if (minBytes !== undefined) add('min_bytes', `value length must be at least ${minBytes} bytes`, (v) => v.length >= minBytes || Buffer.byteLength(v, 'utf8') >= minBytes);
  const maxBytes = num('max_bytes');
  if (maxBytes !== undefined) add('max_bytes', `value length must be at most ${maxBytes} bytes`, (v) => v.length * 3 <= maxBytes || Buffer.byteLength(v, 'utf8') <= maxBytes);
  if (rules['pattern'] !== undefined) {
    const source = String(rules['pattern']);
    const re = translateRe2(source);
    add('pattern', `value does not match regex pattern ${JSON.stringify(source)}`, (v) => re.test(v));
  }
  if (rules['prefix'] !== undefined) { const p = String(rules['prefix']); add('prefix', `value does not have prefix ${JSON.stringify(p)}`, (v) => v.startsWith(p)); }
  if (rules['suffix'] !== undefined) { const s = String(rules['suffix']); add('suffix', `value does not have suffix ${JSON.stringify(s)}`, (v) => v.endsWith(s)); }
  if (rules['contains'] !== undefined) { const s = String(rules['contains']); add('contains', `value does not contain substring ${JSON.stringify(s)}`, (v) => v.includes(s)); }
  if (rules['not_contains'] !== undefined) { const s = String(rules['not_contains']); add('not_contains', `value contains substring ${JSON.stringify(s)}`, (v) => !v.includes(s)); }
  const inList = strings(rules['in']);
  if (inList.length > 0) { const set = new Set(inList); add('in', `value must be in list ${formatList(inList)}`, (v) => set.has(v)); }
  const notIn = strings(rules['not_in']);
  if (notIn.length > 0) { const set = new Set(notIn); add('not_in', `value must not be in list ${formatList(notIn)}`, (v) => !set.has(v)); }
  if (ruleBoolean(rules['email'])) add('email', 'value must be a valid email address', isEmail);
  if (ruleBoolean(rules['hostname'])) add('hostname', 'value must be a valid hostname', isHostname);
  if (ruleBoolean(rules['ip'])) add('ip', 'value must be a valid IP address', isIp);
  if (ruleBoolean(rules['ipv4'])) add('ipv4', 'value must be a valid IPv4 address', isIpv4);
  if (ruleBoolean(rules['ipv6'])) add('ipv6', 'value must be a valid IPv6 address', isIpv6);
  if (ruleBoolean(rules['uri'])) add('uri', 'value must be absolute URI', isAbsoluteUri);
  if (ruleBoolean(rules['uri_ref'])) add('uri_ref', 'value must be a valid URI', isUriReference);
  if (ruleBoolean(rules['address'])) add('address', 'value must be a valid hostname, or ip address', isAddress);
  if (ruleBoolean(rules['uuid'])) add('uuid', 'value must be a valid UUID', isUuid);
  const known = rules['well_known_regex'];
  const kind = known === undefined || typeof known === 'object' ? undefined : parseKnownRegex(known);
  if (kind) {
    // `strict` defaults to true in validate.proto.
    const strict = rules['strict'] === undefined ? true : ruleBoolean(rules['strict']);
    const re = knownRegex(kind, strict);
    add('well_known_regex', `value must be a valid ${kind === 'HTTP_HEADER_NAME' ? 'HTTP header name' : 'HTTP header value'}`, (v) => re.test(v));
  }
  return combineChecks(checks, asString, ruleBoolean(rules['ignore_empty']) ? (v) => v === '' : undefined);
}

export function compileBytesRules(rules: RuleObject, rulePrefix: string): ValueCheck | undefined {
  const name = `${rulePrefix}bytes`;
  const checks: Array<RuleCheck<Uint8Array>> = [];
  const num = (k: string): number | undefined => ruleNumber(rules[k]);
  const add = (key: string, message: string, ok: (v: Uint8Array) => boolean): void => {
    checks.push({ rule: `${name}.${key}`, message, ok });
  };
  const bytesOf = (v: RuleValue): Buffer => Buffer.from(String(v), 'latin1');
  const hex = (b: Buffer): string => JSON.stringify(b.toString('latin1'));

  if (rules['const'] !== undefined) { const c = bytesOf(rules['const']); add('const', `value must equal ${hex(c)}`, (v) => Buffer.compare(c, v) === 0); }
  const len = num('len');
  if (len !== undefined) add('len', `value length must be ${len} bytes`, (v) => v.length === len);
  const minLen = num('min_len');
  if (minLen !== undefined) add('min_len', `value length must be at least ${minLen} bytes`, (v) => v.length >= minLen);
  const maxLen = num('max_len');
  if (maxLen !== undefined) add('max_len', `value length must be at most ${maxLen} bytes`, (v) => v.length <= maxLen);
  if (rules['pattern'] !== undefined) {
    // RE2 on bytes: each byte is read as the Latin-1 character of the same value.
    const source = String(rules['pattern']);
    const re = translateRe2(source);
    add('pattern', `value does not match regex pattern ${JSON.stringify(source)}`, (v) => re.test(Buffer.from(v).toString('latin1')));
  }
  if (rules['prefix'] !== undefined) { const p = bytesOf(rules['prefix']); add('prefix', `value does not have prefix ${hex(p)}`, (v) => Buffer.from(v).subarray(0, p.length).equals(p)); }
  if (rules['suffix'] !== undefined) { const s = bytesOf(rules['suffix']); add('suffix', `value does not have suffix ${hex(s)}`, (v) => v.length >= s.length && Buffer.from(v).subarray(v.length - s.length).equals(s)); }
  if (rules['contains'] !== undefined) { const s = bytesOf(rules['contains']); add('contains', `value does not contain ${hex(s)}`, (v) => Buffer.from(v).includes(s)); }
  const inList = ruleList(rules['in']).map(bytesOf);
  if (inList.length > 0) add('in', `value must be in list ${formatList(inList.map((b) => b.toString('latin1')))}`, (v) => inList.some((b) => b.equals(v)));
  const notIn = ruleList(rules['not_in']).map(bytesOf);
  if (notIn.length > 0) add('not_in', `value must not be in list ${formatList(notIn.map((b) => b.toString('latin1')))}`, (v) => !notIn.some((b) => b.equals(v)));
  if (ruleBoolean(rules['ip'])) add('ip', 'value must be a valid IP address', (v) => v.length === 4 || v.length === 16);
  if (ruleBoolean(rules['ipv4'])) add('ipv4', 'value must be a valid IPv4 address', (v) => v.length === 4);
  if (ruleBoolean(rules['ipv6'])) add('ipv6', 'value must be a valid IPv6 address', (v) => v.length === 16);
  return combineChecks(checks, asBytes, ruleBoolean(rules['ignore_empty']) ? (v) => v.length === 0 : undefined);
}

export function compileBoolRules(rules: RuleObject, rulePrefix: string): ValueCheck | undefined {
  if (rules['const'] === undefined) return undefined;
  const c = ruleBoolean(rules['const']);
  return combineChecks([{ rule: `${rulePrefix}bool.const`, message: `value must equal ${c}`, ok: (v: boolean) => v === c }], Boolean, undefined);
}

export function compileEnumRules(rules: RuleObject, enumType: protobuf.Enum, rulePrefix: string): ValueCheck | undefined {
  const name = `${rulePrefix}enum`;
  const number = (v: RuleValue): number | undefined => (typeof v === 'string' && v in enumType.values ? enumType.values[v] : ruleNumber(v));
  const numbers = (v: RuleValue | undefined): number[] => ruleList(v).map(number).filter((n): n is number => n !== undefined);
  const checks: Array<RuleCheck<number>> = [];
  if (rules['const'] !== undefined) { const c = number(rules['const']); checks.push({ rule: `${name}.const`, message: `value must equal ${c}`, ok: (v) => v === c }); }
  if (ruleBoolean(rules['defined_only'])) {
    checks.push({ rule: `${name}.defined_only`, message: 'value must be one of the defined enum values', ok: (v) => enumType.valuesById[v] !== undefined });
  }
  const inList = numbers(rules['in']);
  if (inList.length > 0) checks.push({ rule: `${name}.in`, message: `value must be in list ${formatList(inList)}`, ok: (v) => inList.includes(v) });
  const notIn = numbers(rules['not_in']);
  if (notIn.length > 0) checks.push({ rule: `${name}.not_in`, message: `value must not be in list ${formatList(notIn)}`, ok: (v) => !notIn.includes(v) });
  const coerce = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' ? (enumType.values[v] ?? Number.NaN) : 0);
  return combineChecks(checks, coerce, ruleBoolean(rules['ignore_empty']) ? (v) => v === 0 : undefined);
}

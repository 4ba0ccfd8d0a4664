/**
 * Rules on google.protobuf.Duration and Timestamp fields. Both are compared
 * as whole nanoseconds (bigint), so bounds like `lt: {seconds: 4294967296}`
 * are exact. `required` is a presence rule, handled where the field is read.
 */
import { boundChecks, toBigInt } from './number-rules.js';
import { combineChecks, formatList, type RuleCheck, type ValueCheck } from './rule-check.js';
import { ruleBoolean, ruleList, ruleObject, type RuleObject, type RuleValue } from './rule-options.js';

const NANOS_PER_SECOND = 1_000_000_000n;

/** A decoded Duration or Timestamp message, or a `{seconds, nanos}` rule value, in nanoseconds. */
export function toNanos(value: unknown): bigint {
  if (value === null || typeof value !== 'object') return 0n;
  const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
  return toBigInt(seconds) * NANOS_PER_SECOND + toBigInt(nanos);
}

/** `1.5s`, `0s`, `-0.000000001s`: how protobuf's JSON mapping prints a duration. */
export function formatDuration(nanos: bigint): string {
  const negative = nanos < 0n;
  const abs = negative ? -nanos : nanos;
  const whole = abs / NANOS_PER_SECOND;
  const frac = (abs % NANOS_PER_SECOND).toString().padStart(9, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}s`;
}

function formatTimestamp(nanos: bigint): string {
  return new Date(Number(nanos / 1_000_000n)).toISOString();
}

const ruleNanos = (v: RuleValue | undefined): bigint | undefined => (ruleObject(v) ? toNanos(v) : undefined);

export function compileDurationRules(rules: RuleObject, rulePrefix: string): ValueCheck | undefined {
  const name = `${rulePrefix}duration`;
  const checks: Array<RuleCheck<bigint>> = [];
  const constant = ruleNanos(rules['const']);
  if (constant !== undefined) checks.push({ rule: `${name}.const`, message: `value must equal ${formatDuration(constant)}`, ok: (v) => v === constant });
  const inList = ruleList(rules['in']).map(ruleNanos).filter((v): v is bigint => v !== undefined);
  if (inList.length > 0) checks.push({ rule: `${name}.in`, message: `value must be in list ${formatList(inList.map(formatDuration))}`, ok: (v) => inList.includes(v) });
  const notIn = ruleList(rules['not_in']).map(ruleNanos).filter((v): v is bigint => v !== undefined);
  if (notIn.length > 0) checks.push({ rule: `${name}.not_in`, message: `value must not be in list ${formatList(notIn.map(formatDuration))}`, ok: (v) => !notIn.includes(v) });
  checks.push(...boundChecks(name, ruleNanos(rules['gt']), ruleNanos(rules['gte']), ruleNanos(rules['lt']), ruleNanos(rules['lte']), formatDuration));
  return combineChecks(checks, toNanos, undefined);
}

export function compileTimestampRules(rules: RuleObject, rulePrefix: string, now: () => bigint = wallClockNanos): ValueCheck | undefined {
  const name = `${rulePrefix}timestamp`;
  const checks: Array<RuleCheck<bigint>> = [];
  const constant = ruleNanos(rules['const']);
  if (constant !== undefined) checks.push({ rule: `${name}.const`, message: `value must equal ${formatTimestamp(constant)}`, ok: (v) => v === constant });
  checks.push(...boundChecks(name, ruleNanos(rules['gt']), ruleNanos(rules['gte']), ruleNanos(rules['lt']), ruleNanos(rules['lte']), formatTimestamp));
  const within = ruleNanos(rules['within']);
  const ltNow = ruleBoolean(rules['lt_now']);
  const gtNow = ruleBoolean(rules['gt_now']);
  if (ltNow && within !== undefined) {
    checks.push({ rule: `${name}.lt_now`, message: `value must be less than now within ${formatDuration(within)}`, ok: (v) => v < now() && now() - v <= within });
  } else if (gtNow && within !== undefined) {
    checks.push({ rule: `${name}.gt_now`, message: `value must be greater than now within ${formatDuration(within)}`, ok: (v) => v > now() && v - now() <= within });
  } else {
    if (ltNow) checks.push({ rule: `${name}.lt_now`, message: 'value must be less than now', ok: (v) => v < now() });
    if (gtNow) checks.push({ rule: `${name}.gt_now`, message: 'value must be greater than now', ok: (v) => v > now() });
    if (within !== undefined) {
      const abs = (x: bigint): bigint => (x < 0n ? -x : x);
      checks.push({ rule: `${name}.within`, message: `value must be within ${formatDuration(within)} of now`, ok: (v) => abs(v - now()) <= within });
    }
  }
  return combineChecks(checks, toNanos, undefined);
}

function wallClockNanos(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

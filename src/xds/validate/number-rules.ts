/**
 * Rules on numbers (`uint32`, `int64`, `double`, ...) and on the wrapper
 * messages that hold them: const, in, not_in, and the gt/gte/lt/lte bounds,
 * which PGV reads as a range: `{gt: 0, lt: 10}` means inside (0, 10), while
 * `{gt: 10, lt: 0}` means outside [0, 10].
 *
 * 64-bit values arrive from protobufjs as Long objects (or numbers); they are
 * compared as bigint so that values past 2^53 are exact.
 */
import { combineChecks, formatList, type RuleCheck, type ValueCheck } from './rule-check.js';
import { ruleBoolean, ruleList, ruleNumber, type RuleObject, type RuleValue } from './rule-options.js';

export type NumberKind =
  | 'float' | 'double' | 'int32' | 'uint32' | 'sint32' | 'fixed32' | 'sfixed32'
  | 'int64' | 'uint64' | 'sint64' | 'fixed64' | 'sfixed64';

const NUMBER_KINDS: ReadonlySet<string> = new Set<NumberKind>([
  'float', 'double', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64',
]);

export function isNumberKind(kind: string): kind is NumberKind {
  return NUMBER_KINDS.has(kind);
}

const is64Bit = (kind: NumberKind): boolean => kind.endsWith('64') && kind !== 'double';

interface LongLike { readonly low: number; readonly high: number; readonly unsigned?: boolean }

/** A protobufjs 64-bit value (Long, number or decimal string) as a bigint. */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? BigInt(Math.trunc(value)) : 0n;
  if (typeof value === 'string') return value.trim() === '' ? 0n : BigInt(value);
  if (value !== null && typeof value === 'object' && 'low' in value && 'high' in value) {
    const long = value as LongLike;
    const bits = (BigInt(long.high >>> 0) << 32n) | BigInt(long.low >>> 0);
    return long.unsigned ? bits : BigInt.asIntN(64, bits);
  }
  return 0n;
}

type Comparable = number | bigint;

function ruleComparable(kind: NumberKind, value: RuleValue | undefined): Comparable | undefined {
  if (value === undefined) return undefined;
  if (is64Bit(kind)) return typeof value === 'number' || typeof value === 'string' ? toBigInt(value) : undefined;
  return ruleNumber(value);
}

export function compileNumberRules(kind: NumberKind, rules: RuleObject, rulePrefix: string): ValueCheck | undefined {
  const name = `${rulePrefix}${kind}`;
  const at = (key: string): Comparable | undefined => ruleComparable(kind, rules[key]);
  const checks: Array<RuleCheck<Comparable>> = [];

  const constant = at('const');
  if (constant !== undefined) checks.push({ rule: `${name}.const`, message: `value must equal ${constant}`, ok: (v) => v === constant });
  const inList = ruleList(rules['in']).map((v) => ruleComparable(kind, v)).filter((v): v is Comparable => v !== undefined);
  if (inList.length > 0) checks.push({ rule: `${name}.in`, message: `value must be in list ${formatList(inList)}`, ok: (v) => inList.includes(v) });
  const notIn = ruleList(rules['not_in']).map((v) => ruleComparable(kind, v)).filter((v): v is Comparable => v !== undefined);
  if (notIn.length > 0) checks.push({ rule: `${name}.not_in`, message: `value must not be in list ${formatList(notIn)}`, ok: (v) => !notIn.includes(v) });
  checks.push(...boundChecks(name, at('gt'), at('gte'), at('lt'), at('lte')));

  const coerce = is64Bit(kind) ? toBigInt : (v: unknown): Comparable => (typeof v === 'number' ? v : Number(v ?? 0));
  const isZero = (v: Comparable): boolean => v === 0 || v === 0n;
  return combineChecks(checks, coerce, ruleBoolean(rules['ignore_empty']) ? isZero : undefined);
}

/**
 * PGV's bounds, shared by numbers, durations and timestamps (as nanoseconds).
 * `describe` prints a bound the way the message should show it.
 */
export function boundChecks<T extends Comparable>(
  rulePrefix: string,
  gt: T | undefined,
  gte: T | undefined,
  lt: T | undefined,
  lte: T | undefined,
  describe: (bound: T) => string = String,
): Array<RuleCheck<T>> {
  const lowerKey = gt !== undefined ? 'gt' : gte !== undefined ? 'gte' : undefined;
  const upperKey = lt !== undefined ? 'lt' : lte !== undefined ? 'lte' : undefined;
  const lower = gt ?? gte;
  const upper = lt ?? lte;
  const aboveLower = (v: T): boolean => (gt !== undefined ? v > gt : v >= (gte as T));
  const belowUpper = (v: T): boolean => (lt !== undefined ? v < lt : v <= (lte as T));
  if (lowerKey && upperKey && lower !== undefined && upper !== undefined) {
    const open = lowerKey === 'gt' ? '(' : '[';
    const close = upperKey === 'lt' ? ')' : ']';
    if (upper > lower) {
      const message = `value must be inside range ${open}${describe(lower)}, ${describe(upper)}${close}`;
      return [
        { rule: `${rulePrefix}.${lowerKey}`, message, ok: aboveLower },
        { rule: `${rulePrefix}.${upperKey}`, message, ok: belowUpper },
      ];
    }
    // An upper bound below the lower one excludes the span between them.
    const message = `value must be outside range ${upperKey === 'lt' ? '[' : '('}${describe(upper)}, ${describe(lower)}${lowerKey === 'gt' ? ']' : ')'}`;
    return [{ rule: `${rulePrefix}.${lowerKey}`, message, ok: (v) => aboveLower(v) || belowUpper(v) }];
  }
  if (gt !== undefined) return [{ rule: `${rulePrefix}.gt`, message: `value must be greater than ${describe(gt)}`, ok: aboveLower }];
  if (gte !== undefined) return [{ rule: `${rulePrefix}.gte`, message: `value must be greater than or equal to ${describe(gte)}`, ok: aboveLower }];
  if (lt !== undefined) return [{ rule: `${rulePrefix}.lt`, message: `value must be less than ${describe(lt)}`, ok: belowUpper }];
  if (lte !== undefined) return [{ rule: `${rulePrefix}.lte`, message: `value must be less than or equal to ${describe(lte)}`, ok: belowUpper }];
  return [];
}

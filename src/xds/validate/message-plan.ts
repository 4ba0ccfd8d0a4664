/**
 * Compiles a protobufjs Type's PGV annotations into a plan the validator
 * walks: only the fields that carry rules, or lead to messages that do, are
 * in it. A type whose whole reachable graph carries no rules (and no Any,
 * whose contents are only known at run time) gets no plan and is never
 * walked. Plans are built once per Type, lazily, so that recursive types
 * (a Matcher inside a Matcher) are fine.
 */
import protobuf from 'protobufjs';
import { compileFieldReader, type FieldReader } from './field-reader.js';
import { compileNumberRules, isNumberKind } from './number-rules.js';
import { combineChecks, formatList, type RuleCheck, type ValueCheck } from './rule-check.js';
import { fieldRules, messageValidationDisabled, oneofRequired, ruleBoolean, ruleNumber, ruleObject, ruleList, type RuleObject } from './rule-options.js';
import { compileBoolRules, compileBytesRules, compileEnumRules, compileStringRules } from './scalar-rules.js';
import { compileDurationRules, compileTimestampRules } from './time-rules.js';

/**
 * What a value leads into: a message type with a plan, or an Any whose type
 * is read at run time. One object shape for both, so the walker's property
 * reads stay monomorphic.
 */
export interface Descent {
  readonly kind: 'message' | 'any';
  readonly type: protobuf.Type | undefined;
  /** The nested type's plan, filled in on first visit (not at compile time, so recursive types compile). */
  plan: MessagePlan | undefined;
}

/** How to check one present value: its own rules, then what to walk into. */
export interface ValuePlan {
  readonly check: ValueCheck | undefined;
  readonly descent: Descent | undefined;
}

export interface RuleFailure {
  readonly rule: string;
  readonly message: string;
}

/**
 * One field to visit. Every plan has every property (unused ones undefined),
 * built by one function, so that all share a hidden class.
 */
export interface FieldPlan {
  readonly shape: 'single' | 'repeated' | 'map';
  /** The protobufjs (camelCase) field name: the path segment and the property of a decoded message. */
  readonly name: string;
  /** The field's value; for lists each item, for maps each value. */
  readonly value: ValuePlan;
  /** Single scalars in a oneof or declared `optional`: set only when an own property. */
  readonly ownPropertyPresence: boolean;
  /** Single implicit-presence scalars: the zero value, which protobufjs also leaves on the prototype when unset. */
  readonly zero: unknown;
  /** Single fields: the presence rule (`message.required`, `duration.required`, ...) when an unset value is a violation. */
  readonly requiredRule: string | undefined;
  /** Single implicit-presence scalars: what the zero value breaks, reported when the field is not on the wire. */
  readonly absentFailures: readonly RuleFailure[];
  /** Lists: min/max items and unique, given the list. Maps: min/max pairs, given the entry count. */
  readonly containerCheck: ValueCheck | undefined;
  /** Whether an unset field (or empty list or map) can break no rule: no required rule, no failing zero value, no count minimum. */
  readonly silentWhenUnset: boolean;
  /** Maps: rules on each key, and the key's proto type. */
  readonly keyCheck: ValueCheck | undefined;
  readonly keyType: string;
}

function fieldPlanOf(parts: Pick<FieldPlan, 'shape' | 'name' | 'value'> & Partial<FieldPlan>): FieldPlan {
  const absentFailures = parts.absentFailures ?? [];
  const containerCheck = parts.containerCheck;
  return {
    shape: parts.shape,
    name: parts.name,
    value: parts.value,
    ownPropertyPresence: parts.ownPropertyPresence ?? false,
    zero: parts.zero,
    requiredRule: parts.requiredRule,
    absentFailures,
    containerCheck,
    silentWhenUnset: parts.shape === 'single'
      ? !parts.requiredRule && absentFailures.length === 0
      : !containerCheck || failuresOf(containerCheck, parts.shape === 'map' ? 0 : []).length === 0,
    keyCheck: parts.keyCheck,
    keyType: parts.keyType ?? '',
  };
}

export interface MessagePlan {
  readonly fields: readonly FieldPlan[];
  /** Reads `fields` (and checks the `(validate.required)` oneofs) of one message of this type. */
  readonly readFields: FieldReader<FieldPlan>;
}

const ANY = 'google.protobuf.Any';
const DURATION = 'google.protobuf.Duration';
const TIMESTAMP = 'google.protobuf.Timestamp';
/** Wrapper message → the rule group its `value` is checked with. */
const WRAPPERS: Readonly<Record<string, string>> = {
  'google.protobuf.DoubleValue': 'double', 'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int64Value': 'int64', 'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int32Value': 'int32', 'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.BoolValue': 'bool', 'google.protobuf.StringValue': 'string', 'google.protobuf.BytesValue': 'bytes',
};

const fullName = (type: protobuf.Type): string => type.fullName.replace(/^\./, '');
const fieldMessageType = (field: protobuf.FieldBase): protobuf.Type | undefined =>
  field.resolve().resolvedType instanceof protobuf.Type ? (field.resolvedType as protobuf.Type) : undefined;

export class PlanCompiler {
  private readonly plans = new Map<protobuf.Type, MessagePlan | null>();
  private readonly visitNeeded = new Map<protobuf.Type, boolean>();

  /** The plan for `type`, or undefined when nothing in or below it can break a rule. */
  plan(type: protobuf.Type): MessagePlan | undefined {
    let plan = this.plans.get(type);
    if (plan === undefined) {
      plan = this.needsVisit(type) ? this.compile(type) : null;
      this.plans.set(type, plan);
    }
    return plan ?? undefined;
  }

  /** Whether `type`, or anything reachable from it, carries rules or an Any. */
  needsVisit(type: protobuf.Type): boolean {
    const known = this.visitNeeded.get(type);
    if (known !== undefined) return known;
    // Decide the whole unknown part of the reachable graph at once (a fixed
    // point), so that a cycle never leaves a type decided on partial knowledge.
    const pending: protobuf.Type[] = [];
    const seen = new Set<protobuf.Type>([type]);
    for (let i = 0, stack = [type]; i < stack.length; i++) {
      const t = stack[i]!;
      pending.push(t);
      if (messageValidationDisabled(t)) continue;
      for (const child of childTypes(t)) {
        if (!seen.has(child) && !this.visitNeeded.has(child)) { seen.add(child); stack.push(child); }
      }
    }
    const needs = new Map<protobuf.Type, boolean>(pending.map((t) => [t, !messageValidationDisabled(t) && hasOwnRules(t)]));
    for (let changed = true; changed;) {
      changed = false;
      for (const t of pending) {
        if (needs.get(t) || messageValidationDisabled(t)) continue;
        if (childTypes(t).some((c) => needs.get(c) ?? this.visitNeeded.get(c))) { needs.set(t, true); changed = true; }
      }
    }
    for (const [t, n] of needs) this.visitNeeded.set(t, n);
    return needs.get(type)!;
  }

  private compile(type: protobuf.Type): MessagePlan {
    const fields: FieldPlan[] = [];
    for (const field of type.fieldsArray) {
      const plan = this.fieldPlan(field);
      if (plan) fields.push(plan);
    }
    const requiredOneofs = type.oneofsArray
      .filter(oneofRequired)
      .map((o) => ({ name: o.name, members: o.fieldsArray.map((f) => ({ name: f.name, isMessage: Boolean(fieldMessageType(f)) })) }));
    return { fields, readFields: compileFieldReader(fields, requiredOneofs) };
  }

  private fieldPlan(field: protobuf.FieldBase): FieldPlan | undefined {
    const rules = fieldRules(field) ?? {};
    const hasRules = Object.keys(rules).length > 0;
    if (field.map) {
      const map = ruleObject(rules['map']) ?? {};
      const value = this.valuePlan(field, ruleObject(map['values']), 'map.values.');
      const keyType = (field as protobuf.MapField).keyType;
      const keyCheck = scalarCheck(keyType, undefined, ruleObject(map['keys']), 'map.keys.');
      const sizeCheck = countCheck('map', map, 'min_pairs', 'max_pairs', 'pair');
      if (!hasRules && !value.check && !value.descent) return undefined;
      return fieldPlanOf({ shape: 'map', name: field.name, value, keyCheck, keyType, containerCheck: sizeCheck });
    }
    if (field.repeated) {
      const repeated = ruleObject(rules['repeated']) ?? {};
      const value = this.valuePlan(field, ruleObject(repeated['items']), 'repeated.items.');
      const listCheck = repeatedCheck(repeated);
      if (!listCheck && !value.check && !value.descent) return undefined;
      return fieldPlanOf({ shape: 'repeated', name: field.name, value, containerCheck: listCheck });
    }
    const value = this.valuePlan(field, rules, '');
    const messageType = fieldMessageType(field);
    // A oneof member is checked only when it is the one set; PGV ignores `required` on it.
    const requiredRule = messageType && !field.partOf ? presenceRule(rules, messageType) : undefined;
    if (!value.check && !value.descent && !requiredRule) return undefined;
    const explicitPresence = Boolean(messageType) || Boolean(field.partOf) || Boolean((field as protobuf.Field).options?.['proto3_optional']);
    return fieldPlanOf({
      shape: 'single', name: field.name, value, requiredRule,
      ownPropertyPresence: explicitPresence && !messageType,
      zero: explicitPresence ? undefined : field.typeDefault,
      absentFailures: explicitPresence || !value.check ? [] : failuresOf(value.check, field.typeDefault),
    });
  }

  /** The plan for one value of `field` (the field itself, a list item or a map value) under `rules`. */
  private valuePlan(field: protobuf.FieldBase, rules: RuleObject | undefined, rulePrefix: string): ValuePlan {
    const r = rules ?? {};
    const messageType = fieldMessageType(field);
    if (!messageType) {
      const enumType = field.resolvedType instanceof protobuf.Enum ? field.resolvedType : undefined;
      return { check: scalarCheck(field.type, enumType, r, rulePrefix), descent: undefined };
    }
    const name = fullName(messageType);
    if (name === DURATION) return { check: compileDurationRules(ruleObject(r['duration']) ?? {}, rulePrefix), descent: undefined };
    if (name === TIMESTAMP) return { check: compileTimestampRules(ruleObject(r['timestamp']) ?? {}, rulePrefix), descent: undefined };
    const wrapped = WRAPPERS[name];
    if (wrapped) {
      const inner = scalarCheck(wrapped, undefined, r, rulePrefix);
      return { check: inner && ((v, report) => inner((v as { value?: unknown }).value, report)), descent: undefined };
    }
    if (name === ANY) return { check: anyTypeCheck(ruleObject(r['any']) ?? {}, rulePrefix), descent: { kind: 'any', type: undefined, plan: undefined } };
    const skip = ruleBoolean(ruleObject(r['message'])?.['skip']);
    return { check: undefined, descent: !skip && this.needsVisit(messageType) ? { kind: 'message', type: messageType, plan: undefined } : undefined };
  }
}

function childTypes(type: protobuf.Type): protobuf.Type[] {
  const out: protobuf.Type[] = [];
  for (const f of type.fieldsArray) {
    const t = fieldMessageType(f);
    if (t) out.push(t);
  }
  return out;
}

function hasOwnRules(type: protobuf.Type): boolean {
  if (type.oneofsArray.some(oneofRequired)) return true;
  return type.fieldsArray.some((f) => fieldRules(f) !== undefined || (fieldMessageType(f) && fullName(fieldMessageType(f)!) === ANY));
}

/** The rule that makes an unset message field a violation, named after its rule group. */
function presenceRule(rules: RuleObject, messageType: protobuf.Type): string | undefined {
  const name = fullName(messageType);
  const group = name === DURATION ? 'duration' : name === TIMESTAMP ? 'timestamp' : name === ANY ? 'any' : 'message';
  if (ruleBoolean(ruleObject(rules[group])?.['required'])) return `${group}.required`;
  if (group !== 'message' && ruleBoolean(ruleObject(rules['message'])?.['required'])) return 'message.required';
  return undefined;
}

function scalarCheck(type: string, enumType: protobuf.Enum | undefined, rules: RuleObject | undefined, rulePrefix: string): ValueCheck | undefined {
  if (!rules) return undefined;
  if (enumType) { const r = ruleObject(rules['enum']); return r && compileEnumRules(r, enumType, rulePrefix); }
  const r = ruleObject(rules[type]);
  if (!r) return undefined;
  if (type === 'string') return compileStringRules(r, rulePrefix);
  if (type === 'bytes') return compileBytesRules(r, rulePrefix);
  if (type === 'bool') return compileBoolRules(r, rulePrefix);
  if (isNumberKind(type)) return compileNumberRules(type, r, rulePrefix);
  return undefined;
}

function anyTypeCheck(rules: RuleObject, rulePrefix: string): ValueCheck | undefined {
  const checks: Array<RuleCheck<string>> = [];
  const inList = ruleList(rules['in']).map(String);
  if (inList.length > 0) checks.push({ rule: `${rulePrefix}any.in`, message: `type URL must be in list ${formatList(inList)}`, ok: (u) => inList.includes(u) });
  const notIn = ruleList(rules['not_in']).map(String);
  if (notIn.length > 0) checks.push({ rule: `${rulePrefix}any.not_in`, message: `type URL must not be in list ${formatList(notIn)}`, ok: (u) => !notIn.includes(u) });
  return combineChecks(checks, anyTypeUrl, undefined);
}

/** The type URL of a decoded Any, whichever case convention the root was loaded with. */
export function anyTypeUrl(any: unknown): string {
  const a = any as { typeUrl?: unknown; type_url?: unknown } | null;
  return String(a?.typeUrl ?? a?.type_url ?? '');
}

function repeatedCheck(rules: RuleObject): ValueCheck | undefined {
  const count = countCheck('repeated', rules, 'min_items', 'max_items', 'item');
  const unique = ruleBoolean(rules['unique']);
  const ignoreEmpty = ruleBoolean(rules['ignore_empty']);
  if (!count && !unique) return undefined;
  return (value, report) => {
    const list = value as readonly unknown[];
    if (ignoreEmpty && list.length === 0) return;
    count?.(list.length, report);
    if (unique && new Set(list.map(uniqueKey)).size !== list.length) report('repeated.unique', 'repeated value must contain unique items');
  };
}

function uniqueKey(item: unknown): unknown {
  if (item instanceof Uint8Array) return Buffer.from(item).toString('latin1');
  if (item !== null && typeof item === 'object') return String(item);
  return item;
}

/** min/max item (or pair) counts; checked against the count passed as the value. */
function countCheck(group: string, rules: RuleObject, minKey: string, maxKey: string, noun: string): ValueCheck | undefined {
  const min = ruleNumber(rules[minKey]);
  const max = ruleNumber(rules[maxKey]);
  const checks: Array<RuleCheck<number>> = [];
  if (min !== undefined) checks.push({ rule: `${group}.${minKey}`, message: `value must contain at least ${min} ${noun}(s)`, ok: (n) => n >= min });
  if (max !== undefined) checks.push({ rule: `${group}.${maxKey}`, message: `value must contain no more than ${max} ${noun}(s)`, ok: (n) => n <= max });
  const ignoreEmpty = ruleBoolean(rules['ignore_empty']);
  return combineChecks(checks, Number, ignoreEmpty ? (n) => n === 0 : undefined);
}

function failuresOf(check: ValueCheck, value: unknown): RuleFailure[] {
  const out: RuleFailure[] = [];
  check(value, (rule, message) => out.push({ rule, message }));
  return out;
}

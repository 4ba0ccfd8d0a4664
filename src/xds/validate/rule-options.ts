/**
 * Reads protoc-gen-validate annotations off protobufjs reflection objects.
 *
 * protobufjs keeps each option statement in `parsedOptions` as written,
 * without checking it against validate.proto. That matters: the validate.proto
 * shipped with @grpc/grpc-js-xds predates `ignore_empty`, which Envoy's protos
 * use, and a schema-checked reader would drop it. Several statements on one
 * field (`(validate.rules).string.min_len = 1, (validate.rules).string.max_bytes = 16384`)
 * are merged here into one rule object.
 */
import protobuf from 'protobufjs';

export type RuleValue = string | number | boolean | RuleObject | readonly RuleValue[];
export interface RuleObject {
  readonly [key: string]: RuleValue | undefined;
}

const RULES_OPTION = '(validate.rules)';
const ONEOF_REQUIRED_OPTION = '(validate.required)';

/** The merged `(validate.rules)` of a field, or undefined when it has none. */
export function fieldRules(field: protobuf.FieldBase): RuleObject | undefined {
  let merged: Record<string, RuleValue> | undefined;
  for (const statement of optionStatements(field)) {
    const value = statement[RULES_OPTION];
    if (value !== undefined) merged = mergeRule(merged ?? {}, toRuleValue(value)) as Record<string, RuleValue>;
  }
  if (merged) return merged;
  // Reflection built from JSON descriptors has only the flattened `options`.
  for (const [key, value] of Object.entries(field.options ?? {})) {
    if (!key.startsWith(`${RULES_OPTION}.`)) continue;
    const nested = key.slice(RULES_OPTION.length + 1).split('.').reduceRight<RuleValue>((inner, k) => ({ [k]: inner }), toRuleValue(value));
    merged = mergeRule(merged ?? {}, nested) as Record<string, RuleValue>;
  }
  return merged;
}

/** Whether a oneof carries `(validate.required) = true`: exactly one member must be set. */
export function oneofRequired(oneof: protobuf.OneOf): boolean {
  if (oneof.options?.[ONEOF_REQUIRED_OPTION] === true) return true;
  return optionStatements(oneof).some((s) => s[ONEOF_REQUIRED_OPTION] === true);
}

/** protobufjs types `parsedOptions` as a record, but fills it with one object per option statement. */
function optionStatements(object: protobuf.ReflectionObject): ReadonlyArray<Readonly<Record<string, unknown>>> {
  const statements: unknown = object.parsedOptions;
  return Array.isArray(statements) ? (statements as Array<Readonly<Record<string, unknown>>>) : [];
}

/** `(validate.disabled)` or `(validate.ignored)` on a message: PGV generates no checks for it. */
export function messageValidationDisabled(type: protobuf.Type): boolean {
  return type.options?.['(validate.disabled)'] === true || type.options?.['(validate.ignored)'] === true;
}

/** A rule that may be written once or repeated (`in: "a" in: "b"`), as a list. */
export function ruleList(value: RuleValue | undefined): readonly RuleValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value as RuleValue];
}

export function ruleObject(value: RuleValue | undefined): RuleObject | undefined {
  return value !== undefined && typeof value === 'object' && !Array.isArray(value) ? (value as RuleObject) : undefined;
}

export function ruleNumber(value: RuleValue | undefined): number | undefined {
  return typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : undefined;
}

export function ruleBoolean(value: RuleValue | undefined): boolean {
  return value === true || value === 'true';
}

function toRuleValue(value: unknown): RuleValue {
  if (Array.isArray(value)) return value.map(toRuleValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, RuleValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toRuleValue(v);
    return out;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

/** Objects merge key by key; a key given twice becomes a list, as protobufjs does within one statement. */
function mergeRule(into: RuleValue, from: RuleValue): RuleValue {
  const a = ruleObject(into);
  const b = ruleObject(from);
  if (a && b) {
    const out: Record<string, RuleValue> = { ...a } as Record<string, RuleValue>;
    for (const [k, v] of Object.entries(b)) {
      if (v === undefined) continue;
      const existing = out[k];
      out[k] = existing === undefined ? v : mergeRule(existing, v);
    }
    return out;
  }
  return [...ruleList(into), ...ruleList(from)];
}

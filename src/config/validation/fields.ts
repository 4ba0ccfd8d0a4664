/**
 * Typed reads of raw JSON fields for validators: each returns the value when
 * it has the expected type, and otherwise records why and returns undefined.
 */
import { isJsonObject, type ConfigObject, type JsonObject, type JsonValue } from '../config-object.js';
import type { ErrorList } from './error-list.js';

/** The object's spec, for kinds that need one: a missing spec is "spec is required", a non-object one "must be an object". */
export function requiredSpec(errors: ErrorList, object: ConfigObject): JsonObject | undefined {
  const spec = object.content['spec'];
  if (spec === undefined || spec === null) {
    errors.add('spec', 'spec is required');
    return undefined;
  }
  return objectField(errors, spec, 'spec');
}

export function objectField(errors: ErrorList, value: JsonValue | undefined, path: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) {
    errors.add(path, 'must be an object');
    return undefined;
  }
  return value;
}

export function arrayField(errors: ErrorList, value: JsonValue | undefined, path: string): readonly JsonValue[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    errors.add(path, 'must be a list');
    return undefined;
  }
  return value as readonly JsonValue[];
}

export function stringField(errors: ErrorList, value: JsonValue | undefined, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    errors.add(path, 'must be a string');
    return undefined;
  }
  return value;
}

export function booleanField(errors: ErrorList, value: JsonValue | undefined, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    errors.add(path, 'must be true or false');
    return undefined;
  }
  return value;
}

export function integerField(errors: ErrorList, value: JsonValue | undefined, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    errors.add(path, 'must be an integer');
    return undefined;
  }
  return value;
}

/** A map of strings to strings (labels, selectors); keys and values are checked by the caller. */
export function stringMapField(errors: ErrorList, value: JsonValue | undefined, path: string): Readonly<Record<string, string>> | undefined {
  const object = objectField(errors, value, path);
  if (!object) return undefined;
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(object)) {
    if (typeof entry !== 'string') errors.add(`${path}.${key}`, 'must be a string');
    else out[key] = entry;
  }
  return out;
}

/** The array's object elements with their paths; a non-object element is an error. */
export function objectElements(errors: ErrorList, list: readonly JsonValue[] | undefined, path: string): Array<[JsonObject, string]> {
  const out: Array<[JsonObject, string]> = [];
  (list ?? []).forEach((element, i) => {
    const elementPath = `${path}[${i}]`;
    if (!isJsonObject(element)) errors.add(elementPath, 'must be an object');
    else out.push([element, elementPath]);
  });
  return out;
}

/** The string elements of a list; a non-string element is an error. */
export function stringList(errors: ErrorList, value: JsonValue | undefined, path: string): string[] {
  const out: string[] = [];
  (arrayField(errors, value, path) ?? []).forEach((item, i) => {
    if (typeof item !== 'string') errors.add(`${path}[${i}]`, 'must be a string');
    else out.push(item);
  });
  return out;
}

/** A string that must be present and non-empty: missing, null or "" records `missing`; another type records a type error. */
export function requiredString(errors: ErrorList, value: JsonValue | undefined, path: string, missing: string): string | undefined {
  if (value === undefined || value === null || value === '') {
    errors.add(path, missing);
    return undefined;
  }
  return stringField(errors, value, path);
}

/** "A, B or C", for messages listing the values a field accepts. */
export function orList(values: readonly string[]): string {
  return values.length <= 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1] ?? ''}`;
}

/**
 * A string enum (a protobuf enum in its JSON form): undefined when absent;
 * another type, or a name outside `allowed`, records an error naming `what`.
 */
export function enumField<T extends string>(
  errors: ErrorList,
  value: JsonValue | undefined,
  path: string,
  allowed: readonly T[],
  what: string,
): T | undefined {
  const text = stringField(errors, value, path);
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text)) {
    errors.add(path, `unsupported ${what} ${text}; use ${orList(allowed)}`);
    return undefined;
  }
  return text as T;
}

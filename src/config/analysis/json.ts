/**
 * Reading fields out of an object's content without trusting its shape:
 * some kinds (Gateway, Sidecar, Secret, Namespace) are stored with only their
 * envelope checked, so a field may be missing or of the wrong type. A wrong
 * type reads as absent; schema problems are the validators' job, not the
 * analyzers'.
 */
import { isJsonObject, type ConfigObject, type JsonObject, type JsonValue } from '../config-object.js';

export function asObject(value: JsonValue | undefined): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}

export function asArray(value: JsonValue | undefined): readonly JsonValue[] {
  return Array.isArray(value) ? (value as readonly JsonValue[]) : [];
}

/** The elements that are objects, each with its index in the array. */
export function objectsOf(value: JsonValue | undefined): [JsonObject, number][] {
  const out: [JsonObject, number][] = [];
  asArray(value).forEach((element, index) => {
    if (isJsonObject(element)) out.push([element, index]);
  });
  return out;
}

export function asString(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: JsonValue | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

export function stringsOf(value: JsonValue | undefined): string[] {
  return asArray(value).filter((element): element is string => typeof element === 'string');
}

/** A map of strings (labels, selectors); entries whose value is not a string are left out. */
export function stringMap(value: JsonValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const object = asObject(value);
  if (!object) return out;
  for (const [key, element] of Object.entries(object)) if (typeof element === 'string') out[key] = element;
  return out;
}

export function specOf(object: ConfigObject): JsonObject {
  return asObject(object.content['spec']) ?? {};
}

/** Follows a path of object fields; undefined as soon as one is missing or not an object. */
export function field(value: JsonValue | undefined, ...path: string[]): JsonValue | undefined {
  let current: JsonValue | undefined = value;
  for (const key of path) {
    const object = asObject(current);
    if (!object) return undefined;
    current = object[key];
  }
  return current;
}

/** JSON with object keys sorted at every level: two values are equal exactly when their canonical forms are. */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${(value as readonly JsonValue[]).map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

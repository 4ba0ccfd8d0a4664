/** google.protobuf.Struct as protobufjs decodes it, turned into plain JSON (node metadata arrives this way). */
export interface DecodedValue {
  nullValue?: unknown;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: DecodedStruct;
  listValue?: { values?: DecodedValue[] };
}
export interface DecodedStruct {
  fields?: Record<string, DecodedValue>;
}

export function structToJson(struct: DecodedStruct | undefined | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(struct?.fields ?? {})) out[k] = valueToJson(v);
  return out;
}

/**
 * Which member of Value's `kind` oneof is set. Own properties only: a
 * message protobufjs decoded has every scalar member's default on its
 * prototype ("" for string_value, 0 for number_value), so testing for
 * undefined would read a nested struct (LABELS) as "".
 */
function isSet(v: DecodedValue, member: keyof DecodedValue): boolean {
  return Object.prototype.hasOwnProperty.call(v, member) && v[member] !== undefined && v[member] !== null;
}

function valueToJson(v: DecodedValue): unknown {
  if (isSet(v, 'stringValue')) return v.stringValue;
  if (isSet(v, 'numberValue')) return v.numberValue;
  if (isSet(v, 'boolValue')) return v.boolValue;
  if (isSet(v, 'structValue')) return structToJson(v.structValue);
  if (isSet(v, 'listValue')) return (v.listValue?.values ?? []).map(valueToJson);
  return null;
}

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

function valueToJson(v: DecodedValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.numberValue !== undefined) return v.numberValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.structValue !== undefined) return structToJson(v.structValue);
  if (v.listValue !== undefined) return (v.listValue.values ?? []).map(valueToJson);
  return null;
}

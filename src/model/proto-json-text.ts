/**
 * Small shared pieces of reading protobuf JSON (MeshConfig) from YAML: the
 * proto's snake_case names accepted beside camelCase, and how a wrong value
 * is named in an error.
 */

/** "tls_defaults" → "tlsDefaults", "mesh_mTLS" → "meshMTLS"; camelCase names are returned as they are. */
export function protoJsonFieldName(field: string): string {
  return field.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

/** What a value is, for "must be X (found Y)" messages. */
export function describeJsonValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return typeof value === 'string' ? `"${value}"` : `${typeof value} ${String(value)}`;
}

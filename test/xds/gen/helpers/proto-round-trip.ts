/**
 * Encodes a generated resource with Envoy's real protos and decodes it back.
 * protobufjs' fromObject silently drops fields it does not know, so a
 * misspelled field (or one in the wrong message) comes back missing and the
 * comparison fails.
 */
import { typeForUrl } from '../../../../src/xds/proto/envoy-protos.js';

export function roundTrip(typeUrl: string, resource: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const type = typeForUrl(typeUrl);
  const message = type.fromObject(resource as Record<string, unknown>);
  const decoded = type.decode(type.encode(message).finish());
  // json: true expands Any into {"@type", ...fields}, the shape generators write.
  return type.toObject(decoded, { enums: String, longs: Number, defaults: false, json: true }) as Record<string, unknown>;
}

/**
 * Puts both sides in one canonical form: key order is irrelevant (Any's
 * "@type" comes last after decoding) and JSON has no undefined fields.
 */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, canonical(v)] as const);
    return Object.fromEntries(entries);
  }
  return value;
}

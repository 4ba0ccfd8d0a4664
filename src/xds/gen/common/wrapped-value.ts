/**
 * Istio's YAML carries protobuf wrapper fields either bare (`5`) or as
 * `{value: 5}`; both pass validation, so readers accept both.
 */
import type { WrappedValue } from '../../../model/types.js';

export function unwrapValue<T>(value: WrappedValue<T> | undefined): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') return (value as { readonly value?: T }).value;
  return value;
}

/** A google.protobuf.Struct as protobufjs' fromObject reads it: string fields only (all Istio's metadata needs). */
export function stringStruct(fields: Readonly<Record<string, string>>): Record<string, unknown> {
  return { fields: Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, { stringValue: value }])) };
}

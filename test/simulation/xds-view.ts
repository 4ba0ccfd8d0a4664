/**
 * The resources one proxy received, indexed by name, and the small readers
 * the simulator uses on them. Resources are generator output: protobufjs
 * `fromObject` inputs (camelCase fields, enums as strings, Duration as
 * {seconds, nanos}, wrappers as {value}, Any as {'@type', ...fields}).
 */
export interface NamedResource {
  readonly name: string;
  readonly resource: Readonly<Record<string, unknown>>;
}

export interface XdsResources {
  readonly listeners: readonly NamedResource[];
  readonly routes: readonly NamedResource[];
  readonly clusters: readonly NamedResource[];
  readonly endpoints: readonly NamedResource[];
}

export type Json = Readonly<Record<string, unknown>>;

export interface XdsView {
  readonly listeners: readonly Json[];
  readonly routes: ReadonlyMap<string, Json>;
  readonly clusters: ReadonlyMap<string, Json>;
  readonly endpoints: ReadonlyMap<string, Json>;
}

export function indexResources(resources: XdsResources): XdsView {
  const byName = (list: readonly NamedResource[]): Map<string, Json> => new Map(list.map((r) => [r.name, r.resource]));
  return {
    listeners: resources.listeners.map((r) => r.resource),
    routes: byName(resources.routes),
    clusters: byName(resources.clusters),
    endpoints: byName(resources.endpoints),
  };
}

export function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(record).filter((r): r is Json => r !== undefined) : [];
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** A number, or a {value} wrapper around one (protobuf wrappers such as UInt32Value). */
export function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  const wrapped = record(value);
  return wrapped ? numeric(wrapped['value']) : undefined;
}

/** A boolean, or a {value} wrapper around one (BoolValue). */
export function flag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const wrapped = record(value);
  return wrapped && typeof wrapped['value'] === 'boolean' ? wrapped['value'] : undefined;
}

/**
 * The string fields of a google.protobuf.Struct, read from either form it
 * takes here: protobufjs' message form ({fields: {k: {stringValue}}}, what
 * generators write and decoding returns) or Envoy's JSON form ({k: "v"}).
 */
export function structStrings(value: unknown): Record<string, string> {
  const struct = record(value);
  if (!struct) return {};
  const fields = record(struct['fields']);
  const out: Record<string, string> = {};
  if (fields) {
    for (const [key, field] of Object.entries(fields)) {
      const stringValue = text(record(field)?.['stringValue']);
      if (stringValue !== undefined) out[key] = stringValue;
    }
    return out;
  }
  for (const [key, field] of Object.entries(struct)) if (typeof field === 'string') out[key] = field;
  return out;
}

/** google.protobuf.Duration in milliseconds; undefined when absent. */
export function durationMs(value: unknown): number | undefined {
  const d = record(value);
  if (!d) return undefined;
  return (numeric(d['seconds']) ?? 0) * 1000 + (numeric(d['nanos']) ?? 0) / 1_000_000;
}

const DENOMINATORS: Readonly<Record<string, number>> = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 };

/** envoy.type.v3.FractionalPercent as a percentage (its denominator defaults to HUNDRED). */
export function fractionalPercent(value: unknown): number | undefined {
  const f = record(value);
  if (!f) return undefined;
  const denominator = DENOMINATORS[text(f['denominator']) ?? 'HUNDRED'] ?? 100;
  return ((numeric(f['numerator']) ?? 0) / denominator) * 100;
}

/** The typed config's '@type' without its "type.googleapis.com/" prefix. */
export function typeOf(value: unknown): string | undefined {
  const url = text(record(value)?.['@type']);
  return url?.slice(url.lastIndexOf('/') + 1);
}

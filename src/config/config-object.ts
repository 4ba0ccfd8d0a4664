/**
 * A Kubernetes-style config object as the config pipeline stores it, whatever
 * source it came from (a directory of YAML today, the Kubernetes API later).
 * Objects are deep-frozen when made: the store and the snapshot builder share
 * them without copying.
 */

/** A JSON value as parsed from YAML or JSON. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

export interface ObjectMetadata {
  readonly name: string;
  /** "default" when the document leaves it out; "" for cluster-scoped kinds (Namespace). */
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly resourceVersion?: string;
  readonly creationTimestamp?: string;
}

export interface ConfigObject {
  readonly kind: string;
  /** As written in the document (e.g. networking.istio.io/v1alpha3); all Istio versions are read as v1. */
  readonly apiVersion: string;
  readonly metadata: ObjectMetadata;
  /** The whole document (spec, or EndpointSlice's endpoints/ports, Endpoints' subsets, ...). */
  readonly content: JsonObject;
  /**
   * Where the object came from, for error messages. Directory source:
   * "<path relative to the directory>#<document number>", document numbers
   * 1-based so that "#2" is the second document of the file; items of a
   * `kind: List` add ".items[<i>]" with i 0-based, like any field path.
   */
  readonly source: string;
}

/** "Kind/namespace/name"; cluster-scoped kinds have an empty namespace ("Namespace//istio-system"). */
export type ConfigKey = string;

export function configKey(kind: string, namespace: string, name: string): ConfigKey {
  return `${kind}/${namespace}/${name}`;
}

export function keyOf(object: ConfigObject): ConfigKey {
  return configKey(object.kind, object.metadata.namespace, object.metadata.name);
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

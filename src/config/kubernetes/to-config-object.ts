/**
 * One object from the apiserver (list item or watch event, parsed JSON) into
 * the pipeline's ConfigObject, validated like a file's object would be.
 *
 * The stored content is the whole object minus what would turn writes tsiod
 * cannot see into config changes: metadata.managedFields, metadata.resourceVersion
 * (kept in ConfigObject.metadata, not in content, which the store compares)
 * and, except for Pods, status.
 */
import type { ConfigError } from '../config-error.js';
import { configKey, isJsonObject, type ConfigKey, type ConfigObject, type JsonObject, type JsonValue } from '../config-object.js';
import { deepFreeze } from '../deep-freeze.js';
import { stringMap } from '../read-object.js';
import { validateObject } from '../validation/validate-object.js';
import { apiVersionOf, type KubeKind } from './kind-table.js';

/** Where an object sits and which version of it this is, read from its metadata. */
export interface ObjectIdentity {
  readonly key: ConfigKey;
  readonly namespace: string;
  readonly name: string;
  /** "" when the apiserver sent none (it always does; a missing one just never matches). */
  readonly resourceVersion: string;
}

export type Conversion =
  | { readonly object: ConfigObject; readonly errors?: undefined }
  | { readonly object?: undefined; readonly errors: readonly ConfigError[] };

/** "k8s:Service/ns/name": the object's source in error messages, and its origin in the store. */
export function kubernetesSource(key: ConfigKey): string {
  return `k8s:${key}`;
}

/** The object's key, or undefined when it has no name to key it by (never from a real apiserver). */
export function identityOf(kind: KubeKind, raw: unknown): ObjectIdentity | undefined {
  if (!isJsonObject(raw)) return undefined;
  const metadata = raw['metadata'];
  if (!isJsonObject(metadata)) return undefined;
  const name = metadata['name'];
  if (typeof name !== 'string' || name === '') return undefined;
  const rawNamespace = metadata['namespace'];
  const namespace = kind.clusterScoped ? '' : typeof rawNamespace === 'string' ? rawNamespace : '';
  const resourceVersion = typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : '';
  return { key: configKey(kind.kind, namespace, name), namespace, name, resourceVersion };
}

export function toConfigObject(kind: KubeKind, raw: unknown): Conversion {
  const identity = identityOf(kind, raw);
  if (!identity || !isJsonObject(raw)) {
    return { errors: [{ source: 'k8s', kind: kind.kind, message: 'object without metadata.name ignored' }] };
  }
  const source = kubernetesSource(identity.key);
  const where = { source, kind: kind.kind, namespace: identity.namespace, name: identity.name };
  const rawMetadata = kind.sensitive ? withoutLastApplied(raw['metadata'] as JsonObject) : (raw['metadata'] as JsonObject);
  const labels = stringMap(rawMetadata['labels']);
  if (!labels) return { errors: [{ ...where, path: 'metadata.labels', message: 'must be a map of strings to strings' }] };
  const annotations = stringMap(rawMetadata['annotations']);
  if (!annotations) return { errors: [{ ...where, path: 'metadata.annotations', message: 'must be a map of strings to strings' }] };
  if (!kind.clusterScoped && identity.namespace === '') {
    return { errors: [{ ...where, path: 'metadata.namespace', message: 'a namespaced object came without a namespace' }] };
  }

  const metadata: Record<string, JsonValue> = {};
  for (const [field, value] of Object.entries(rawMetadata)) {
    if (field !== 'managedFields' && field !== 'resourceVersion') metadata[field] = value;
  }
  // List items of built-in kinds carry no apiVersion/kind; set them so content reads like a file's document.
  const content: Record<string, JsonValue> = { apiVersion: apiVersionOf(kind), kind: kind.kind, metadata };
  for (const [field, value] of Object.entries(raw)) {
    if (field === 'apiVersion' || field === 'kind' || field === 'metadata') continue;
    if (field === 'status' && !kind.keepStatus) continue;
    content[field] = value;
  }
  const creationTimestamp = rawMetadata['creationTimestamp'];
  const object: ConfigObject = deepFreeze({
    kind: kind.kind,
    apiVersion: apiVersionOf(kind),
    metadata: {
      name: identity.name,
      namespace: identity.namespace,
      labels,
      annotations,
      ...(identity.resourceVersion !== '' ? { resourceVersion: identity.resourceVersion } : {}),
      ...(typeof creationTimestamp === 'string' && creationTimestamp !== '' ? { creationTimestamp } : {}),
    },
    content,
    source,
  });
  const errors = validateObject(object);
  return errors.length > 0 ? { errors } : { object };
}

/** kubectl apply's record of the object: of a Secret, its data again. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Metadata without kubectl's last-applied copy, which would hold a sensitive object's data a second time. */
function withoutLastApplied(metadata: JsonObject): JsonObject {
  const annotations = metadata['annotations'];
  if (!isJsonObject(annotations) || !(LAST_APPLIED in annotations)) return metadata;
  const { [LAST_APPLIED]: _dropped, ...rest } = annotations;
  return { ...metadata, annotations: rest };
}

/**
 * Turns one parsed document into config objects: checks the envelope
 * (apiVersion, kind, metadata) and expands `kind: List`. The spec itself is
 * checked later, by the validator for its kind.
 */
import type { ConfigError } from './config-error.js';
import { deepFreeze } from './deep-freeze.js';
import { isJsonObject, type ConfigObject, type JsonObject } from './config-object.js';
import { KINDS } from './kinds.js';

export interface ReadResult {
  readonly objects: readonly ConfigObject[];
  readonly errors: readonly ConfigError[];
}

const DEFAULT_NAMESPACE = 'default';

export function readObjects(value: unknown, source: string, documentIndex: number): ReadResult {
  const objects: ConfigObject[] = [];
  const errors: ConfigError[] = [];
  const where = `document ${documentIndex}`;
  if (!isJsonObject(value)) {
    errors.push({ source, message: `${where} is not an object (found ${describe(value)})` });
    return { objects, errors };
  }
  if (value['kind'] === 'List' && (value['apiVersion'] === 'v1' || value['apiVersion'] === undefined)) {
    const items = value['items'];
    if (!Array.isArray(items)) {
      errors.push({ source, kind: 'List', path: 'items', message: `${where}: a List must have an items array` });
      return { objects, errors };
    }
    items.forEach((item: unknown, i) => {
      const result = readOne(item, `${source}.items[${i}]`, `${where}, items[${i}]`);
      if ('error' in result) errors.push(result.error);
      else objects.push(result.object);
    });
    return { objects, errors };
  }
  const result = readOne(value, source, where);
  if ('error' in result) errors.push(result.error);
  else objects.push(result.object);
  return { objects, errors };
}

type ReadOne = { readonly object: ConfigObject } | { readonly error: ConfigError };

function readOne(value: unknown, source: string, where: string): ReadOne {
  if (!isJsonObject(value)) return { error: { source, message: `${where} is not an object (found ${describe(value)})` } };
  const apiVersion = value['apiVersion'];
  const kind = value['kind'];
  const metadata = value['metadata'];
  if (typeof kind !== 'string' || kind === '') return { error: { source, path: 'kind', message: `${where} has no kind` } };
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    return { error: { source, kind, path: 'apiVersion', message: `${where} has no apiVersion` } };
  }
  const name = isJsonObject(metadata) ? metadata['name'] : undefined;
  if (!isJsonObject(metadata) || typeof name !== 'string' || name === '') {
    return { error: { source, kind, path: 'metadata.name', message: `${where} has no metadata.name` } };
  }
  const info = KINDS.get(kind);
  const rawNamespace = metadata['namespace'];
  const namespace = info?.clusterScoped ? '' : typeof rawNamespace === 'string' && rawNamespace !== '' ? rawNamespace : DEFAULT_NAMESPACE;
  const base = { source, kind, namespace, name };
  if (!info) return { error: { ...base, path: 'kind', message: `unknown kind ${kind} (apiVersion ${apiVersion})` } };
  if (!info.apiVersions.includes(apiVersion)) {
    return { error: { ...base, path: 'apiVersion', message: `${kind} is not served as ${apiVersion}; use one of ${info.apiVersions.join(', ')}` } };
  }
  if (rawNamespace !== undefined && typeof rawNamespace !== 'string') {
    return { error: { ...base, path: 'metadata.namespace', message: 'must be a string' } };
  }
  // The apiserver's own rules (names are RFC 1123 subdomains, namespaces labels): a file must not hold what a cluster refuses.
  // An object still named by its generateName prefix (an admission request before the apiserver picks the suffix) is checked as prefix + suffix.
  const nameToCheck = name === metadata['generateName'] ? `${name}x` : name;
  if (!isDns1123Subdomain(nameToCheck)) {
    return { error: { ...base, path: 'metadata.name', message: `Invalid value: ${JSON.stringify(name)}: ${DNS1123_SUBDOMAIN_RULE}` } };
  }
  if (!info.clusterScoped && !(namespace.length <= 63 && DNS1123_LABEL.test(namespace))) {
    return { error: { ...base, path: 'metadata.namespace', message: `Invalid value: ${JSON.stringify(namespace)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character` } };
  }
  const labels = stringMap(metadata['labels']);
  if (labels === undefined) return { error: { ...base, path: 'metadata.labels', message: 'must be a map of strings to strings' } };
  const annotations = stringMap(metadata['annotations']);
  if (annotations === undefined) return { error: { ...base, path: 'metadata.annotations', message: 'must be a map of strings to strings' } };
  const resourceVersion = optionalString(metadata['resourceVersion']);
  const creationTimestamp = optionalTimestamp(metadata['creationTimestamp']);
  const object: ConfigObject = {
    kind,
    apiVersion,
    metadata: {
      name,
      namespace,
      labels,
      annotations,
      ...(resourceVersion !== undefined ? { resourceVersion } : {}),
      ...(creationTimestamp !== undefined ? { creationTimestamp } : {}),
    },
    content: value as JsonObject,
    source,
  };
  return { object: deepFreeze(object) };
}

/** Absent is an empty map; undefined means "not a string map" (an error). */
export function stringMap(value: unknown): Readonly<Record<string, string>> | undefined {
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') return undefined;
    out[k] = v;
  }
  return out;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** YAML reads an unquoted timestamp as a string under the core schema; a Date would come from a custom schema. */
function optionalTimestamp(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString();
  return optionalString(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN_RULE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(value);
}

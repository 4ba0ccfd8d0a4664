/**
 * Istio's MeshConfig, as istiod reads it: the YAML under `data.mesh` of the
 * ConfigMap `istio` in the system namespace, or a file (`--mesh-config`, as
 * istiod's --meshConfig). It is applied over the defaults field by field,
 * as Istio's ApplyMeshConfig does (a nested message present but partial
 * keeps the defaults of the fields it leaves out). Proto JSON names are
 * accepted in camelCase and in the proto's snake_case.
 *
 * Only the fields tsiod's MeshConfig has are read; any other field is
 * reported back as ignored (the caller logs it at debug). A wrong type or
 * value rejects the whole mesh config with an error naming the field, and
 * the caller keeps the mesh config it had (istiod does the same).
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { ConfigError } from '../config/config-error.js';
import { configKey, isJsonObject, type ConfigKey, type ConfigObject, type JsonObject } from '../config/config-object.js';
import { deepEqual } from '../config/deep-equal.js';
import { deepFreeze } from '../config/deep-freeze.js';
import { parseExtensionProviders } from './extension-providers.js';
import { isMeshTrafficField, parseMeshTrafficField } from './mesh-traffic-defaults.js';
import { parseMeshTlsSettings, type MeshTlsField } from './mesh-tls-settings.js';
import type { MeshConfig } from './types.js';
import { describeJsonValue, protoJsonFieldName } from './proto-json-text.js';

/** Istio's ConfigMap name and key for the mesh config. */
export const MESH_CONFIG_MAP = 'istio';
export const MESH_CONFIG_KEY = 'mesh';

/** Where the YAML came from, for errors: a ConfigMap (object fields) or a file (source only). */
export interface MeshConfigOrigin {
  readonly source: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** Prefix of field paths in errors ("data.mesh"); none for a file. */
  readonly pathPrefix?: string;
}

export type MeshConfigParse =
  | { readonly mesh: MeshConfig; readonly ignored: readonly string[]; readonly errors?: undefined }
  | { readonly errors: readonly ConfigError[]; readonly mesh?: undefined; readonly ignored?: undefined };

const OUTBOUND_MODES: readonly MeshConfig['outboundTrafficPolicy'][] = ['REGISTRY_ONLY', 'ALLOW_ANY'];
/** Istio's DNS-1123 label, as its trust domain validation checks each label. */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The MeshConfig YAML `text` applied over `base`. */
export function parseMeshConfig(text: string, base: MeshConfig, origin: MeshConfigOrigin): MeshConfigParse {
  const errorAt = (field: string | undefined, message: string): ConfigError => {
    const path = [origin.pathPrefix, field].filter((p): p is string => p !== undefined && p !== '').join('.');
    return {
      source: origin.source,
      ...(origin.kind !== undefined ? { kind: origin.kind } : {}),
      ...(origin.namespace !== undefined ? { namespace: origin.namespace } : {}),
      ...(origin.name !== undefined ? { name: origin.name } : {}),
      ...(path !== '' ? { path } : {}),
      message,
    };
  };
  let document: unknown;
  try {
    document = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    const reason = error instanceof YAMLParseError || error instanceof Error ? error.message : String(error);
    return { errors: [errorAt(undefined, `the mesh config is not valid YAML: ${reason}`)] };
  }
  if (document === null || document === undefined) return { mesh: base, ignored: [] };
  if (!isJsonObject(document)) return { errors: [errorAt(undefined, `the mesh config must be a YAML map (found ${describeJsonValue(document)})`)] };

  const errors: ConfigError[] = [];
  const ignored: string[] = [];
  const next: { -readonly [K in keyof MeshConfig]: MeshConfig[K] } = { ...base };
  const fields = document as JsonObject;
  for (const [field, value] of Object.entries(fields)) {
    if (value === null) continue; // proto JSON: null is "not set"
    switch (protoJsonFieldName(field)) {
      case 'trustDomain': {
        if (typeof value !== 'string') errors.push(errorAt(field, `must be a string (found ${describeJsonValue(value)})`));
        else {
          const problem = trustDomainProblem(value);
          if (problem) errors.push(errorAt(field, problem));
          else next.trustDomain = value;
        }
        break;
      }
      case 'rootNamespace': {
        if (typeof value !== 'string') errors.push(errorAt(field, `must be a string (found ${describeJsonValue(value)})`));
        else if (value !== '' && !DNS1123_LABEL.test(value)) errors.push(errorAt(field, `"${value}" is not a valid namespace name`));
        // Istio: an empty root namespace is the system namespace; the base already says which.
        else if (value !== '') next.rootNamespace = value;
        break;
      }
      case 'outboundTrafficPolicy': {
        if (!isJsonObject(value)) {
          errors.push(errorAt(field, `must be a map (found ${describeJsonValue(value)})`));
          break;
        }
        for (const [subfield, mode] of Object.entries(value)) {
          if (subfield !== 'mode') {
            ignored.push(`${field}.${subfield}`);
            continue;
          }
          if (mode === null) continue;
          // Proto JSON enums: the name, or the number (REGISTRY_ONLY = 0, ALLOW_ANY = 1).
          const parsed = typeof mode === 'number' ? OUTBOUND_MODES[mode] : OUTBOUND_MODES.find((m) => m === mode);
          if (parsed === undefined) errors.push(errorAt(`${field}.mode`, `must be ALLOW_ANY or REGISTRY_ONLY (found ${describeJsonValue(mode)})`));
          else next.outboundTrafficPolicy = parsed;
        }
        break;
      }
      case 'enableAutoMtls': {
        // A google.protobuf.BoolValue, which proto JSON writes as a bare boolean.
        if (typeof value !== 'boolean') errors.push(errorAt(field, `must be true or false (found ${describeJsonValue(value)})`));
        else next.enableAutoMtls = value;
        break;
      }
      case 'trustDomainAliases': {
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) errors.push(errorAt(field, `must be a list of strings (found ${describeJsonValue(value)})`));
        else next.trustDomainAliases = [...(value as string[])];
        break;
      }
      case 'meshMTLS':
      case 'tlsDefaults': {
        const name = protoJsonFieldName(field) as MeshTlsField;
        const parsed = parseMeshTlsSettings(name, value);
        if (parsed.problems) for (const p of parsed.problems) errors.push(errorAt(`${field}${p.path}`, p.message));
        else {
          next[name] = parsed.settings;
          for (const sub of parsed.ignored) ignored.push(`${field}.${sub}`);
        }
        break;
      }
      case 'extensionProviders': {
        const parsed = parseExtensionProviders(value);
        if (parsed.problems) for (const p of parsed.problems) errors.push(errorAt(`${field}${p.path}`, p.message));
        else next.extensionProviders = parsed.providers;
        break;
      }
      default: {
        const name = protoJsonFieldName(field);
        if (!isMeshTrafficField(name)) {
          ignored.push(field);
          break;
        }
        const parsed = parseMeshTrafficField(name, value);
        if (parsed.problems) for (const p of parsed.problems) errors.push(errorAt(`${field}${p.path}`, p.message));
        else Object.assign(next, parsed.fields);
      }
    }
  }
  if (errors.length > 0) return { errors };
  return { mesh: deepFreeze(next), ignored };
}

/** Istio's ValidateTrustDomain: non-empty, dot-separated DNS-1123 labels (a trailing dot allowed). */
function trustDomainProblem(domain: string): string | undefined {
  if (domain === '') return 'empty domain name not allowed';
  const labels = domain.split('.');
  for (const [index, label] of labels.entries()) {
    if (index === labels.length - 1 && label === '' && index > 0) break;
    if (label.length > 63 || !DNS1123_LABEL.test(label)) return `trust domain name "${domain}" invalid`;
  }
  return undefined;
}

/** The subset of a structured logger the tracker writes to. */
export interface MeshConfigLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface MeshConfigTrackerOptions {
  /** The defaults the ConfigMap's fields are applied over. */
  readonly base: MeshConfig;
  /** Where the `istio` ConfigMap is read from. */
  readonly systemNamespace: string;
  /** Its name: `istio`, or `istio-<revision>` for a revisioned control plane. */
  readonly configMapName?: string;
  readonly logger: MeshConfigLogger;
}

/**
 * The mesh config to build snapshots with, from the `istio` ConfigMap in the
 * store (cluster or directory alike). The same mesh object is returned
 * until the ConfigMap's content changes the result, so buildSnapshot and
 * classifyChange see a change (a full push) only when there is one. An
 * invalid mesh config is logged and the previous one kept; a deleted
 * ConfigMap means the defaults again.
 */
export class MeshConfigTracker {
  private mesh: MeshConfig;
  /** The ConfigMap object last read (by reference: the store replaces it on every change). */
  private lastObject: ConfigObject | undefined;
  private readonly key: ConfigKey;

  constructor(private readonly options: MeshConfigTrackerOptions) {
    this.mesh = options.base;
    this.key = configKey('ConfigMap', options.systemNamespace, options.configMapName ?? MESH_CONFIG_MAP);
  }

  /** The current mesh config, re-read if the ConfigMap changed since the last call. */
  current(objects: ReadonlyMap<ConfigKey, ConfigObject>): MeshConfig {
    const object = objects.get(this.key);
    if (object === this.lastObject) return this.mesh;
    const hadObject = this.lastObject !== undefined;
    this.lastObject = object;
    const log = this.options.logger;
    if (!object) {
      if (hadObject) log.info({ configMap: this.key }, `mesh config: ${this.key} is gone; using the defaults`);
      return this.adopt(this.options.base);
    }
    const where = { source: object.source, kind: 'ConfigMap', namespace: object.metadata.namespace, name: object.metadata.name };
    const data = object.content['data'];
    const text = isJsonObject(data) ? data[MESH_CONFIG_KEY] : undefined;
    if (text === undefined || text === null) return this.adopt(this.options.base);
    if (typeof text !== 'string') {
      log.error({ ...where, path: `data.${MESH_CONFIG_KEY}` }, `mesh config: ${object.source} ConfigMap ${this.key}: data.${MESH_CONFIG_KEY}: must be a string; keeping the previous mesh config`);
      return this.mesh;
    }
    const result = parseMeshConfig(text, this.options.base, { ...where, pathPrefix: `data.${MESH_CONFIG_KEY}` });
    if (result.errors) {
      for (const error of result.errors) {
        log.error({ ...where, path: error.path }, `mesh config: ${object.source} ConfigMap ${object.metadata.namespace}/${object.metadata.name}: ${error.path ? `${error.path}: ` : ''}${error.message}; keeping the previous mesh config`);
      }
      return this.mesh;
    }
    if (result.ignored.length > 0) log.debug({ ...where, fields: result.ignored }, `mesh config: fields tsiod does not read yet, ignored: ${result.ignored.join(', ')}`);
    return this.adopt(result.mesh);
  }

  private adopt(mesh: MeshConfig): MeshConfig {
    if (deepEqual(mesh, this.mesh)) return this.mesh;
    this.options.logger.info({ mesh }, 'mesh config changed');
    this.mesh = mesh;
    return mesh;
  }
}

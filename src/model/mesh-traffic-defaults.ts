/**
 * The MeshConfig fields that give every cluster and route Istio's defaults
 * (connectTimeout, tcpKeepalive, localityLbSetting, defaultHttpRetryPolicy,
 * h2UpgradePolicy, outboundClusterStatName), read from the mesh config YAML
 * with the checks istiod's ValidateMeshConfig makes on them.
 * inboundClusterStatName is not read (reported as ignored): tsiod's inbound
 * clusters do not know their service.
 *
 * MeshConfig is protobuf JSON: durations are "10s" or "0.5s" (not Go's
 * "1m"), wrapper fields may be bare or `{value: ...}`, enums a name or a
 * number, and field names camelCase or snake_case. A message field replaces
 * the default whole (protobuf JSON unmarshals a message field afresh).
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../config/config-object.js';
import type { HTTPRetry, LocalityLbSetting, MeshConfig, TcpKeepaliveSettings } from './types.js';
import { describeJsonValue, protoJsonFieldName } from './proto-json-text.js';

export const MESH_TRAFFIC_FIELDS = [
  'connectTimeout',
  'tcpKeepalive',
  'localityLbSetting',
  'defaultHttpRetryPolicy',
  'h2UpgradePolicy',
  'outboundClusterStatName',
] as const;

export type MeshTrafficField = (typeof MESH_TRAFFIC_FIELDS)[number];
export type MeshTrafficDefaults = Pick<MeshConfig, MeshTrafficField>;

export interface MeshTrafficProblem {
  /** Below the field itself ("" for the field, ".distribute[0].to"). */
  readonly path: string;
  readonly message: string;
}

export type ParsedMeshTrafficField =
  | { readonly fields: Partial<MeshTrafficDefaults>; readonly problems?: undefined }
  | { readonly problems: readonly MeshTrafficProblem[]; readonly fields?: undefined };

export function isMeshTrafficField(field: string): field is MeshTrafficField {
  return (MESH_TRAFFIC_FIELDS as readonly string[]).includes(field);
}

/** Istio's DefaultMeshConfig connectTimeout. */
export const DEFAULT_CONNECT_TIMEOUT = '10s';
/** Istio's DefaultMeshConfig localityLbSetting: locality failover whenever outlier detection is on. */
export const DEFAULT_LOCALITY_LB_SETTING: LocalityLbSetting = Object.freeze({ enabled: true });

/** Istio's ValidateConnectTimeout bounds. */
const CONNECT_TIMEOUT_MIN_MS = 1;
const CONNECT_TIMEOUT_MAX_MS = 3_600_000;
/** google.protobuf.Duration in JSON: seconds with up to 9 fraction digits and an "s". */
const PROTO_DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
const H2_UPGRADE_POLICIES: readonly NonNullable<MeshConfig['h2UpgradePolicy']>[] = ['DO_NOT_UPGRADE', 'UPGRADE'];
const TOPOLOGY_LABELS = new Set(['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone']);

/** One mesh config field named by `field` (camelCase), with `value` as the YAML held it. */
export function parseMeshTrafficField(field: MeshTrafficField, value: JsonValue): ParsedMeshTrafficField {
  const problems: MeshTrafficProblem[] = [];
  const reader = new Reader(problems);
  const fields = parseField(field, value, reader, problems);
  return problems.length > 0 || fields === undefined ? { problems: problems.length > 0 ? problems : [{ path: '', message: 'invalid' }] } : { fields };
}

function parseField(field: MeshTrafficField, value: JsonValue, reader: Reader, problems: MeshTrafficProblem[]): Partial<MeshTrafficDefaults> | undefined {
  switch (field) {
    case 'connectTimeout': {
      const ms = reader.durationMs(value, '');
      if (ms === undefined) return undefined;
      // ValidateDuration then ValidateDurationRange: whole milliseconds, 1ms to 1h.
      if (!Number.isInteger(ms)) problems.push({ path: '', message: 'only durations to ms precision are supported' });
      else if (ms < CONNECT_TIMEOUT_MIN_MS || ms > CONNECT_TIMEOUT_MAX_MS) problems.push({ path: '', message: `connect timeout ${value as string} must be between 1ms and 1h` });
      return { connectTimeout: value as string };
    }
    case 'tcpKeepalive': {
      const keepalive = readKeepalive(reader, value, '');
      return keepalive ? { tcpKeepalive: keepalive } : undefined;
    }
    case 'localityLbSetting': {
      const setting = readLocality(reader, value, problems);
      return setting ? { localityLbSetting: setting } : undefined;
    }
    case 'defaultHttpRetryPolicy': {
      const retry = readRetry(reader, value);
      return retry ? { defaultHttpRetryPolicy: retry } : undefined;
    }
    case 'h2UpgradePolicy': {
      const policy = typeof value === 'number' ? H2_UPGRADE_POLICIES[value] : H2_UPGRADE_POLICIES.find((p) => p === value);
      if (policy === undefined) {
        problems.push({ path: '', message: `must be DO_NOT_UPGRADE or UPGRADE (found ${describeJsonValue(value)})` });
        return undefined;
      }
      return { h2UpgradePolicy: policy };
    }
    case 'outboundClusterStatName': {
      const text = reader.string(value, '');
      if (text === undefined) return undefined;
      // An empty pattern is proto3's unset: Istio keeps its default name.
      return text === '' ? {} : { outboundClusterStatName: text };
    }
  }
}

function readKeepalive(reader: Reader, value: JsonValue, path: string): TcpKeepaliveSettings | undefined {
  const object = reader.object(value, path);
  if (!object) return undefined;
  const probes = reader.uint32(get(object, 'probes'), `${path}.probes`);
  const time = reader.duration(get(object, 'time'), `${path}.time`);
  const interval = reader.duration(get(object, 'interval'), `${path}.interval`);
  return compact({ probes, time, interval });
}

function readRetry(reader: Reader, value: JsonValue): HTTPRetry | undefined {
  const object = reader.object(value, '');
  if (!object) return undefined;
  const attempts = reader.int32(get(object, 'attempts'), '.attempts');
  return compact({
    attempts,
    perTryTimeout: reader.duration(get(object, 'perTryTimeout'), '.perTryTimeout'),
    retryOn: reader.string(get(object, 'retryOn'), '.retryOn'),
    retryRemoteLocalities: reader.wrappedBoolean(get(object, 'retryRemoteLocalities'), '.retryRemoteLocalities'),
    retryIgnorePreviousHosts: reader.wrappedBoolean(get(object, 'retryIgnorePreviousHosts'), '.retryIgnorePreviousHosts'),
    backoff: reader.duration(get(object, 'backoff'), '.backoff'),
  });
}

/** The setting, with Istio's ValidateLocalityLbSetting checks. */
function readLocality(reader: Reader, value: JsonValue, problems: MeshTrafficProblem[]): LocalityLbSetting | undefined {
  const object = reader.object(value, '');
  if (!object) return undefined;
  const enabled = reader.wrappedBoolean(get(object, 'enabled'), '.enabled');
  const distribute = reader.list(get(object, 'distribute'), '.distribute')?.flatMap((entry, i) => {
    const path = `.distribute[${i}]`;
    const rule = reader.object(entry, path);
    if (!rule) return [];
    const from = reader.string(get(rule, 'from'), `${path}.from`);
    const toObject = get(rule, 'to') === undefined ? {} : reader.object(get(rule, 'to') ?? null, `${path}.to`);
    const to: Record<string, number> = {};
    for (const [locality, weight] of Object.entries(toObject ?? {})) {
      const n = reader.uint32(weight, `${path}.to.${locality}`);
      if (n !== undefined) to[locality] = n;
    }
    return [compact({ from, to })];
  });
  const failover = reader.list(get(object, 'failover'), '.failover')?.flatMap((entry, i) => {
    const rule = reader.object(entry, `.failover[${i}]`);
    return rule ? [compact({ from: reader.string(get(rule, 'from'), `.failover[${i}].from`), to: reader.string(get(rule, 'to'), `.failover[${i}].to`) })] : [];
  });
  const failoverPriority = reader.strings(get(object, 'failoverPriority'), '.failoverPriority');
  if (problems.length > 0) return undefined;

  const setting: LocalityLbSetting = compact({ enabled, distribute, failover, failoverPriority });
  if ((distribute?.length ?? 0) > 0 && (failover?.length ?? 0) > 0) {
    problems.push({ path: '', message: "can not simultaneously specify 'distribute' and 'failover'" });
    return undefined;
  }
  if ((failover?.length ?? 0) > 0) {
    const topology = (failoverPriority ?? []).find((label) => TOPOLOGY_LABELS.has(label));
    if (topology) problems.push({ path: '.failoverPriority', message: `can not simultaneously set 'failover' and topology label '${topology}' in 'failover_priority'` });
  }
  for (const [i, rule] of (distribute ?? []).entries()) {
    const weights = Object.values(rule.to ?? {});
    if (weights.some((w) => w <= 0 || w > 100)) problems.push({ path: `.distribute[${i}].to`, message: 'locality weight must be in range [1, 100]' });
    else if (weights.reduce((a, b) => a + b, 0) !== 100) problems.push({ path: `.distribute[${i}].to`, message: `total locality weight ${weights.reduce((a, b) => a + b, 0)} != 100` });
    for (const locality of [rule.from ?? '', ...Object.keys(rule.to ?? {})]) {
      const problem = localityProblem(locality);
      if (problem) problems.push({ path: `.distribute[${i}]`, message: problem });
    }
  }
  for (const [i, rule] of (failover ?? []).entries()) {
    const path = `.failover[${i}]`;
    if (rule.from === rule.to) problems.push({ path, message: 'locality lb failover settings must specify different regions' });
    if ((rule.from ?? '').includes('/') || (rule.to ?? '').includes('/')) problems.push({ path, message: 'locality lb failover only specify region' });
    if ((rule.from ?? '').includes('*') || (rule.to ?? '').includes('*')) problems.push({ path, message: "locality lb failover region should not contain '*' wildcard" });
  }
  return problems.length > 0 ? undefined : setting;
}

/** Istio's validateLocalities for one pattern: at most one "*", at the end, and no empty part. */
function localityProblem(locality: string): string | undefined {
  const stars = locality.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !locality.endsWith('*'))) return `locality ${locality} wildcard '*' number can not exceed 1 and must be in the end`;
  if (locality === '' || locality.split('/').some((part) => part === '')) return `locality ${locality} must not contain empty region/zone/subzone info`;
  return undefined;
}

function get(object: JsonObject, field: string): JsonValue | undefined {
  for (const [key, value] of Object.entries(object)) if (protoJsonFieldName(key) === field && value !== null) return value;
  return undefined;
}

/** Leaves out the fields that were not given, so equal configs compare equal. */
function compact<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/** Typed reads of protobuf JSON values that record a problem (and yield undefined) on a wrong type. */
class Reader {
  constructor(private readonly problems: MeshTrafficProblem[]) {}

  private fail(path: string, expected: string, value: JsonValue): undefined {
    this.problems.push({ path, message: `must be ${expected} (found ${describeJsonValue(value)})` });
    return undefined;
  }

  object(value: JsonValue | undefined, path: string): JsonObject | undefined {
    if (value === undefined) return undefined;
    return isJsonObject(value) ? value : this.fail(path, 'a map', value);
  }

  list(value: JsonValue | undefined, path: string): readonly JsonValue[] | undefined {
    if (value === undefined) return undefined;
    return Array.isArray(value) ? (value as readonly JsonValue[]) : this.fail(path, 'a list', value);
  }

  string(value: JsonValue | undefined, path: string): string | undefined {
    if (value === undefined) return undefined;
    return typeof value === 'string' ? value : this.fail(path, 'a string', value);
  }

  strings(value: JsonValue | undefined, path: string): string[] | undefined {
    const list = this.list(value, path);
    if (!list) return undefined;
    return list.every((v) => typeof v === 'string') ? [...(list as string[])] : this.fail(path, 'a list of strings', value ?? null);
  }

  /** uint32: a number, or a string holding one (protobuf JSON). */
  uint32(value: JsonValue | undefined, path: string): number | undefined {
    if (value === undefined) return undefined;
    const n = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
    return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? n : this.fail(path, 'a non-negative integer', value);
  }

  int32(value: JsonValue | undefined, path: string): number | undefined {
    if (value === undefined) return undefined;
    const n = typeof value === 'string' && /^-?[0-9]+$/.test(value) ? Number(value) : value;
    return typeof n === 'number' && Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff ? n : this.fail(path, 'an integer', value);
  }

  /** google.protobuf.BoolValue: bare, or `{value: ...}`. */
  wrappedBoolean(value: JsonValue | undefined, path: string): boolean | undefined {
    if (value === undefined) return undefined;
    const inner = isJsonObject(value) ? (get(value, 'value') ?? false) : value;
    return typeof inner === 'boolean' ? inner : this.fail(path, 'true or false', value);
  }

  /** Milliseconds, fractional when the duration is finer than that. */
  durationMs(value: JsonValue | undefined, path: string): number | undefined {
    if (value === undefined) return undefined;
    const match = typeof value === 'string' ? PROTO_DURATION.exec(value) : null;
    if (!match) return this.fail(path, 'a protobuf duration such as "10s" or "0.5s"', value);
    // Whole milliseconds come out as integers; anything finer keeps a fraction.
    const ms = Number(match[2]) * 1000 + Number((match[3] ?? '').padEnd(9, '0')) / 1_000_000;
    return match[1] ? -ms : ms;
  }

  duration(value: JsonValue | undefined, path: string): string | undefined {
    return this.durationMs(value, path) === undefined ? undefined : (value as string);
  }
}

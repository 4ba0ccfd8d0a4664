/**
 * Schema checks for Istio kinds from @kubernetes-models/istio, which ships
 * JSON Schema (ajv) validators generated from Istio's own CRDs: field types,
 * enums, and shapes of every field, including the many tsiod does not read
 * itself. Semantic rules stay in the per-kind validators.
 *
 * Unknown fields: the generated schemas do not forbid them (no
 * additionalProperties: false), so ajv alone accepts `spec.http[0].timout`
 * in silence. On request (validateObject's unknownFields: 'reject') a field
 * the schema does not declare is reported as "unknown field", as
 * `istioctl validate` (strict protobuf decoding) and `kubectl apply` against
 * the CRDs (strict field validation) do; istiod itself drops such fields.
 * Which fields the schema declares is learnt from the validator itself:
 * ajv's code reads every property a schema declares (Istio's CRDs are
 * structural, so every declared property has a type to check), so the spec
 * is handed to it through proxies that record each key read; a key of an
 * object the schema described that was never read is unknown. An object none
 * of whose keys were read is free-form to the schema (or was not walked,
 * being of the wrong type) and is left alone.
 */
import * as networkingV1 from '@kubernetes-models/istio/networking.istio.io/v1';
import * as networkingV1alpha3 from '@kubernetes-models/istio/networking.istio.io/v1alpha3';
import * as networkingV1beta1 from '@kubernetes-models/istio/networking.istio.io/v1beta1';
import * as securityV1 from '@kubernetes-models/istio/security.istio.io/v1';
import * as securityV1beta1 from '@kubernetes-models/istio/security.istio.io/v1beta1';
import type { ConfigObject, JsonValue } from '../config-object.js';
import { ErrorList } from './error-list.js';

/** What the models' validate() throws: ajv's errors. */
interface AjvError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Readonly<Record<string, unknown>>;
}

type ModelClass = new (data: Record<string, unknown>) => { validate(): void };

const MODELS: ReadonlyMap<string, Readonly<Record<string, unknown>>> = new Map<string, Readonly<Record<string, unknown>>>([
  ['networking.istio.io/v1', networkingV1],
  ['networking.istio.io/v1beta1', networkingV1beta1],
  ['networking.istio.io/v1alpha3', networkingV1alpha3],
  ['security.istio.io/v1', securityV1],
  ['security.istio.io/v1beta1', securityV1beta1],
]);

function modelFor(object: ConfigObject): ModelClass | undefined {
  const model = MODELS.get(object.apiVersion)?.[object.kind];
  return typeof model === 'function' ? (model as ModelClass) : undefined;
}

/** True when the schema library knows this kind at this apiVersion. */
export function hasIstioSchema(object: ConfigObject): boolean {
  return modelFor(object) !== undefined;
}

/**
 * The object's spec checked against its CRD schema; one error per problem,
 * with tsiod's field paths. With `unknownFields`, a spec field the schema
 * does not declare is an error too (UNKNOWN_FIELD).
 */
export function checkIstioSchema(object: ConfigObject, { unknownFields = false }: { readonly unknownFields?: boolean } = {}): ErrorList {
  const errors = new ErrorList(object);
  const Model = modelFor(object);
  const spec = object.content['spec'];
  if (!Model || spec === undefined) return errors;
  // Only the spec is checked here: the envelope (names, labels) has its own rules, read before this.
  // The model copies what it is given, so a traced copy of the spec is put in place after construction.
  const model = new Model({ apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name } });
  const copy = unknownFields ? (structuredClone(spec) as JsonValue) : spec;
  const reads = new WeakMap<object, Set<string>>();
  (model as unknown as { spec: unknown }).spec = unknownFields ? traced(copy, reads, new WeakMap()) : spec;
  try {
    model.validate();
  } catch (err) {
    const list = (err as { errors?: readonly AjvError[] }).errors;
    if (!Array.isArray(list)) throw err;
    for (const problem of list) {
      // ajv puts a missing field's error on its parent; tsiod names the field itself.
      const missing = problem.keyword === 'required' ? String(problem.params['missingProperty']) : undefined;
      const path = fieldPath(problem.instancePath, object.content);
      errors.add(missing === undefined ? path : path === '' ? missing : `${path}.${missing}`, describe(problem));
    }
  }
  if (unknownFields) for (const path of undeclaredFields(copy, 'spec', reads)) errors.add(path, UNKNOWN_FIELD);
  return errors;
}

/** The message for a spec field the CRD schema does not declare. */
export const UNKNOWN_FIELD = 'unknown field';

/**
 * `value` behind proxies (each object and list, on first access) that record,
 * per object, the keys read from it. The proxies wrap an unfrozen copy: a
 * proxy of a frozen object may not hand out anything but the original values.
 */
function traced(value: JsonValue, reads: WeakMap<object, Set<string>>, proxies: WeakMap<object, object>): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  const existing = proxies.get(value);
  if (existing) return existing as JsonValue;
  const record = (target: object, key: string | symbol): void => {
    if (typeof key !== 'string' || Array.isArray(target)) return;
    let keys = reads.get(target);
    if (!keys) reads.set(target, (keys = new Set()));
    keys.add(key);
  };
  const proxy = new Proxy(value, {
    get(target, key, receiver) {
      record(target, key);
      return traced(Reflect.get(target, key, receiver) as JsonValue, reads, proxies);
    },
    has(target, key) {
      record(target, key);
      return Reflect.has(target, key);
    },
  });
  proxies.set(value, proxy);
  return proxy;
}

/** Paths of the keys the schema's validator never read, in objects where it read some. */
function undeclaredFields(value: JsonValue, path: string, reads: WeakMap<object, Set<string>>): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return (value as readonly JsonValue[]).flatMap((item, i) => undeclaredFields(item, `${path}[${i}]`, reads));
  const read = reads.get(value);
  if (!read) return [];
  return Object.entries(value as { readonly [key: string]: JsonValue }).flatMap(([key, child]) =>
    read.has(key) ? undeclaredFields(child, `${path}.${key}`, reads) : [`${path}.${key}`],
  );
}

/**
 * "/spec/http/0/route" → "spec.http[0].route", as the semantic validators
 * write paths: list elements in brackets, map keys (even "80") after a dot.
 * The pointer alone cannot tell a list index from a numeric key, so the
 * document is walked alongside.
 */
export function fieldPath(pointer: string, document: JsonValue): string {
  let out = '';
  let at: JsonValue | undefined = document;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(at)) {
      out += `[${part}]`;
      at = (at as readonly JsonValue[])[Number(part)];
    } else {
      out += out === '' ? part : `.${part}`;
      at = at !== null && typeof at === 'object' ? (at as { readonly [key: string]: JsonValue })[part] : undefined;
    }
  }
  return out;
}

function describe(problem: AjvError): string {
  const params = problem.params;
  switch (problem.keyword) {
    case 'type': {
      const type = String(params['type']);
      return `must be ${type === 'array' ? 'a list' : type === 'object' ? 'an object' : type === 'integer' ? 'an integer' : `a ${type}`}`;
    }
    case 'enum':
      return `must be one of ${(params['allowedValues'] as readonly JsonValue[]).map(String).join(', ')}`;
    case 'required':
      return 'is required';
    default:
      return problem.message ?? `fails the schema's ${problem.keyword} rule`;
  }
}

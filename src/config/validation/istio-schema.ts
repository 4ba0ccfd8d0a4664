/**
 * Schema checks for Istio kinds from @kubernetes-models/istio, which ships
 * JSON Schema (ajv) validators generated from Istio's own CRDs: field types,
 * enums, and shapes of every field, including the many tsiod does not read
 * itself. Semantic rules stay in the per-kind validators.
 *
 * Unknown fields are not reported: Istio's CRDs are structural, so the
 * apiserver prunes them before istiod sees the object, and the generated
 * schemas do not forbid them either.
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

/** The object's spec checked against its CRD schema; one error per problem, with tsiod's field paths. */
export function checkIstioSchema(object: ConfigObject): ErrorList {
  const errors = new ErrorList(object);
  const Model = modelFor(object);
  const spec = object.content['spec'];
  if (!Model || spec === undefined) return errors;
  try {
    // Only the spec is checked here: the envelope (names, labels) has its own rules, read before this.
    new Model({ apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name }, spec: spec as unknown as Record<string, unknown> }).validate();
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
  return errors;
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

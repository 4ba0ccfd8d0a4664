/**
 * istiod's validating admission webhook, as a pure function: an
 * AdmissionReview (admission.k8s.io/v1) in, the AdmissionReview to answer or
 * an HTTP error out. The object is read the way the config sources read a
 * document (readObjects: envelope, kind, apiVersion) and checked by the same
 * validators (validateObject), so the apiserver refuses exactly what tsiod
 * would ignore, with the same messages:
 *
 *   admission webhook "validation.istio.io" denied the request: configuration is invalid:
 *   VirtualService default/reviews: spec.http[0].route[0].weight: ...
 *
 * (The apiserver writes the part before "configuration is invalid".) As
 * istiod does, a DELETE or CONNECT is allowed (and counted as failed with
 * reason unsupported_operation), and an Istio object with a top-level field
 * other than apiVersion, kind, metadata, spec and status is refused.
 */
import type { ConfigError } from '../config/config-error.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../config/config-object.js';
import { readObjects } from '../config/read-object.js';
import { validateObject } from '../config/validation/validate-object.js';
import type { ValidatedResource, ValidationFailureReason, ValidationObserver } from '../metrics/validation-metrics.js';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: { readonly code: number; readonly message: string };
}

export interface AdmissionReviewReply {
  readonly apiVersion: typeof ADMISSION_API_VERSION;
  readonly kind: 'AdmissionReview';
  readonly response: AdmissionResponse;
}

/** What to send back: a review (HTTP 200), or an HTTP error when the body is no AdmissionReview at all. */
export type AdmissionOutcome =
  | { readonly review: AdmissionReviewReply; readonly httpStatus?: undefined; readonly error?: undefined }
  | { readonly httpStatus: number; readonly error: string; readonly review?: undefined };

/** For logs: what was decided about which object. */
export interface AdmissionDecision {
  readonly operation: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly allowed: boolean;
  readonly reason?: ValidationFailureReason;
  readonly message?: string;
}

const DENIED_CODE = 400;
const ISTIO_TOP_LEVEL_FIELDS: ReadonlySet<string> = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);

export interface ReviewOptions {
  readonly observer?: ValidationObserver;
  readonly onDecision?: (decision: AdmissionDecision) => void;
}

/** `body` is the parsed JSON of the request. */
export function reviewAdmission(body: unknown, options: ReviewOptions = {}): AdmissionOutcome {
  const badRequest = (error: string): AdmissionOutcome => {
    options.observer?.httpError(400);
    return { httpStatus: 400, error };
  };
  if (!isJsonObject(body)) return badRequest('the body is not an AdmissionReview: expected a JSON object');
  if (body['kind'] !== 'AdmissionReview') return badRequest(`the body is not an AdmissionReview: kind is ${JSON.stringify(body['kind'] ?? null)}`);
  if (body['apiVersion'] !== ADMISSION_API_VERSION) {
    return badRequest(`unsupported AdmissionReview apiVersion ${JSON.stringify(body['apiVersion'] ?? null)}: only ${ADMISSION_API_VERSION} is served (set admissionReviewVersions: [v1])`);
  }
  const request = body['request'];
  if (!isJsonObject(request)) return badRequest('the AdmissionReview has no request');
  const uid = request['uid'];
  if (typeof uid !== 'string' || uid === '') return badRequest('the AdmissionReview request has no uid');

  const resource = resourceOf(request['resource']);
  const operation = typeof request['operation'] === 'string' ? request['operation'] : '';
  const reply = (response: Omit<AdmissionResponse, 'uid'>): AdmissionOutcome => ({
    review: { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response: { uid, ...response } },
  });
  const deny = (reason: ValidationFailureReason, message: string, about: Partial<AdmissionDecision> = {}): AdmissionOutcome => {
    options.observer?.failed(resource, reason);
    options.onDecision?.({ operation, ...about, allowed: false, reason, message });
    return reply({ allowed: false, status: { code: DENIED_CODE, message } });
  };

  if (operation !== 'CREATE' && operation !== 'UPDATE') {
    options.observer?.failed(resource, 'unsupported_operation');
    options.onDecision?.({ operation, allowed: true, reason: 'unsupported_operation' });
    return reply({ allowed: true });
  }
  const raw = request['object'];
  if (!isJsonObject(raw)) return deny('yaml_decode_error', `cannot decode configuration: request.object is ${raw === undefined ? 'missing' : 'not an object'}`);
  const object = withRequestIdentity(raw, request);
  const kind = typeof object['kind'] === 'string' ? object['kind'] : undefined;
  const metadata = isJsonObject(object['metadata']) ? object['metadata'] : {};
  const about = { kind, namespace: stringOr(metadata['namespace']), name: stringOr(metadata['name']) };

  if (kind === undefined || typeof object['apiVersion'] !== 'string' || object['apiVersion'] === '') {
    return deny('unknown_type', 'unrecognized type: request.object has no apiVersion and kind', about);
  }

  const read = readObjects(object, `admission:${uid}`, 1);
  const readError = read.errors[0];
  const config = read.objects[0];
  if (readError || !config || read.objects.length !== 1) {
    const unknown = readError?.path === 'kind' || readError?.path === 'apiVersion';
    const message = readError ? describeError(readError) : 'cannot decode configuration: expected exactly one object';
    return deny(unknown ? 'unknown_type' : 'crd_conversion_error', unknown ? `unrecognized type: ${message}` : `error decoding configuration: ${message}`, about);
  }
  const problems = validateObject(config);
  if (problems.length > 0) {
    return deny('invalid_resource', `configuration is invalid: ${problems.map(describeError).join('; ')}`, about);
  }
  if (config.apiVersion.includes('.istio.io/')) {
    const extra = Object.keys(raw).find((field) => !ISTIO_TOP_LEVEL_FIELDS.has(field));
    if (extra !== undefined) {
      return deny('invalid_resource', `unknown field ${JSON.stringify(extra)} on ${config.kind} resource ${config.metadata.namespace}/${config.metadata.name}`, about);
    }
  }
  options.observer?.passed(resource);
  options.onDecision?.({ operation, ...about, allowed: true });
  return reply({ allowed: true });
}

/**
 * The object as the request names it: a create's metadata may lack the
 * namespace (taken from the URL) and, with generateName, the name (not yet
 * generated when admission runs).
 */
function withRequestIdentity(raw: JsonObject, request: JsonObject): JsonObject {
  const metadata: Record<string, JsonValue> = isJsonObject(raw['metadata']) ? { ...raw['metadata'] } : {};
  const namespace = stringOr(request['namespace']);
  if (stringOr(metadata['namespace']) === undefined && namespace !== undefined) metadata['namespace'] = namespace;
  if (stringOr(metadata['name']) === undefined) {
    const name = stringOr(request['name']) ?? stringOr(metadata['generateName']);
    if (name !== undefined) metadata['name'] = name;
  }
  return { ...raw, metadata };
}

function resourceOf(value: JsonValue | undefined): ValidatedResource {
  const r = isJsonObject(value) ? value : {};
  return { group: stringOr(r['group']) ?? '', version: stringOr(r['version']) ?? '', resource: stringOr(r['resource']) ?? '' };
}

function stringOr(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** formatConfigError without the source (the object is the request's, not a file's): "Kind ns/name: path: message". */
export function describeError(error: ConfigError): string {
  const head = [error.kind, error.name === undefined ? undefined : error.namespace ? `${error.namespace}/${error.name}` : error.name]
    .filter((part): part is string => part !== undefined && part !== '')
    .join(' ');
  return [head, error.path, error.message].filter((part) => part !== undefined && part !== '').join(': ');
}

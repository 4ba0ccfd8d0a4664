/**
 * istiod's validation webhook metrics, with its names and labels
 * (pkg/webhooks/validation/server/monitoring.go): galley_validation_passed
 * {group, version, resource}, galley_validation_failed {group, version,
 * resource, reason} and galley_validation_http_error {status}.
 */
import { Counter, type Registry } from 'prom-client';

/** Istio's reasons, plus its values for a request it could not read. */
export type ValidationFailureReason = 'unsupported_operation' | 'yaml_decode_error' | 'unknown_type' | 'crd_conversion_error' | 'invalid_resource';

/** The resource a request was for, as the AdmissionRequest names it (request.resource). */
export interface ValidatedResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

export interface ValidationObserver {
  passed(resource: ValidatedResource): void;
  failed(resource: ValidatedResource, reason: ValidationFailureReason): void;
  /** A request answered with an HTTP error instead of an AdmissionReview. */
  httpError(status: number): void;
}

export function createValidationMetrics(registry: Registry): ValidationObserver {
  const passed = new Counter({ name: 'galley_validation_passed', help: 'Resource is valid', labelNames: ['group', 'version', 'resource'], registers: [registry] });
  const failed = new Counter({ name: 'galley_validation_failed', help: 'Resource validation failed', labelNames: ['group', 'version', 'resource', 'reason'], registers: [registry] });
  const httpError = new Counter({ name: 'galley_validation_http_error', help: 'Resource validation http serve errors', labelNames: ['status'], registers: [registry] });
  return {
    passed: (r) => passed.inc({ group: r.group, version: r.version, resource: r.resource }),
    failed: (r, reason) => failed.inc({ group: r.group, version: r.version, resource: r.resource, reason }),
    httpError: (status) => httpError.inc({ status: String(status) }),
  };
}

/**
 * galley_validation_passed / _failed for objects read by the config
 * sources, not only for webhook requests: an invalid object in a directory
 * or in a cluster (written before the webhook existed, or with it set to
 * Ignore) is rejected alone, and this is where an operator sees it counted.
 * Labels are the webhook's: the kind's API group, version and resource.
 */
import type { ChangeSet } from '../config/change-set.js';
import { kindOfKey } from '../config/change-set.js';
import type { ConfigError } from '../config/config-error.js';
import { KUBE_KINDS } from '../config/kubernetes/kind-table.js';
import type { ValidatedResource, ValidationObserver } from '../metrics/validation-metrics.js';

const RESOURCES: ReadonlyMap<string, ValidatedResource> = new Map(KUBE_KINDS.map((k) => [k.kind, { group: k.group, version: k.version, resource: k.plural }]));
const UNKNOWN: ValidatedResource = { group: '', version: '', resource: '' };

export interface SourceValidationCounter {
  /** Every object a change set added or changed passed validation to get there. */
  accepted(changes: ChangeSet): void;
  rejected(error: ConfigError): void;
}

export function sourceValidationCounter(observer: ValidationObserver): SourceValidationCounter {
  return {
    accepted(changes) {
      for (const set of [changes.added, changes.updated]) for (const key of set) observer.passed(RESOURCES.get(kindOfKey(key)) ?? UNKNOWN);
    },
    rejected(error) {
      // A document read far enough to have a kind failed validation; one without a kind could not be decoded.
      if (error.kind === undefined) return observer.failed(UNKNOWN, 'yaml_decode_error');
      const resource = RESOURCES.get(error.kind);
      observer.failed(resource ?? UNKNOWN, resource ? 'invalid_resource' : 'unknown_type');
    },
  };
}

/** Picks the validator for an object's kind. Kinds stored without translation are only envelope-checked. */
import type { ConfigError } from '../config-error.js';
import type { ConfigObject } from '../config-object.js';
import { validateDestinationRule } from './destination-rule.js';
import { validateEndpointSlice } from './endpoint-slice.js';
import { validateEndpoints } from './endpoints.js';
import type { ObjectValidator } from './error-list.js';
import { validatePod } from './pod.js';
import { validateServiceEntry } from './service-entry.js';
import { validateService } from './service.js';
import { validateVirtualService } from './virtual-service.js';
import { validateWorkloadEntry } from './workload-entry.js';

const VALIDATORS: ReadonlyMap<string, ObjectValidator> = new Map([
  ['Service', validateService],
  ['EndpointSlice', validateEndpointSlice],
  ['Endpoints', validateEndpoints],
  ['Pod', validatePod],
  ['ServiceEntry', validateServiceEntry],
  ['VirtualService', validateVirtualService],
  ['DestinationRule', validateDestinationRule],
  ['WorkloadEntry', validateWorkloadEntry],
]);

export function validateObject(object: ConfigObject): readonly ConfigError[] {
  return VALIDATORS.get(object.kind)?.(object) ?? [];
}

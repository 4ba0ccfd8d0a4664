/** Picks the validator for an object's kind. A kind without one (Namespace, Secret) is only envelope-checked. */
import type { ConfigError } from '../config-error.js';
import type { ConfigObject } from '../config-object.js';
import { validateAuthorizationPolicy } from './authorization-policy.js';
import { validateDestinationRule } from './destination-rule.js';
import { validateEndpointSlice } from './endpoint-slice.js';
import { validateEndpoints } from './endpoints.js';
import type { ObjectValidator } from './error-list.js';
import { validateGateway } from './gateway.js';
import { validatePeerAuthentication } from './peer-authentication.js';
import { validatePod } from './pod.js';
import { validateRequestAuthentication } from './request-authentication.js';
import { validateServiceEntry } from './service-entry.js';
import { validateService } from './service.js';
import { validateSidecar } from './sidecar.js';
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
  ['Gateway', validateGateway],
  ['Sidecar', validateSidecar],
  ['PeerAuthentication', validatePeerAuthentication],
  ['AuthorizationPolicy', validateAuthorizationPolicy],
  ['RequestAuthentication', validateRequestAuthentication],
]);

export function validateObject(object: ConfigObject): readonly ConfigError[] {
  return VALIDATORS.get(object.kind)?.(object) ?? [];
}

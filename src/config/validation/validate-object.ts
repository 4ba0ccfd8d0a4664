/** Picks the validator for an object's kind. A kind without one (Namespace, Secret) is only envelope-checked. */
import type { ConfigError } from '../config-error.js';
import type { ConfigObject } from '../config-object.js';
import { validateAuthorizationPolicy } from './authorization-policy.js';
import { validateDestinationRule } from './destination-rule.js';
import { validateEndpointSlice } from './endpoint-slice.js';
import { validateEndpoints } from './endpoints.js';
import type { ObjectValidator } from './error-list.js';
import { checkIstioSchema, hasIstioSchema } from './istio-schema.js';
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

/**
 * Istio kinds: Istio's semantic rules and the CRD schema (types, enums and
 * required fields of every field). One message per problem: where both
 * speak about a field (or the schema about something inside a field Istio's
 * rules spoke about), Istio's own wording wins; a semantic message about
 * something inside a field the schema rejected is left out; the schema says
 * one thing per field (its type before its enum).
 */
export function validateObject(object: ConfigObject): readonly ConfigError[] {
  const semantic = VALIDATORS.get(object.kind)?.(object) ?? [];
  if (!hasIstioSchema(object)) return semantic;
  const schema = firstPerPath(checkIstioSchema(object).list());
  if (schema.length === 0) return semantic;
  const under = (path: string, parent: string): boolean => path.startsWith(`${parent}.`) || path.startsWith(`${parent}[`);
  const kept = semantic.filter((e) => !schema.some((s) => under(e.path ?? '', s.path ?? '')));
  // A schema message on a field, or inside a field, that Istio's rules already spoke about adds nothing.
  const spoken = (path: string): boolean => kept.some((e) => (e.path ?? '') === path || under(path, e.path ?? ''));
  return [...kept, ...schema.filter((e) => !spoken(e.path ?? ''))];
}

function firstPerPath(errors: readonly ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const path = e.path ?? '';
    if (seen.has(path)) return false;
    seen.add(path);
    return true;
  });
}

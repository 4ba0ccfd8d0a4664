/** Picks the validator for an object's kind. A kind without one (Namespace, Secret) is only envelope-checked. */
import type { ConfigError } from '../config-error.js';
import type { ConfigObject } from '../config-object.js';
import { validateAuthorizationPolicy } from './authorization-policy.js';
import { validateDestinationRule } from './destination-rule.js';
import { validateEndpointSlice } from './endpoint-slice.js';
import { validateEndpoints } from './endpoints.js';
import type { ObjectValidator } from './error-list.js';
import { checkIstioSchema, hasIstioSchema, UNKNOWN_FIELD } from './istio-schema.js';
import { validateGateway } from './gateway.js';
import { validateNode } from './node.js';
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
  ['Node', validateNode],
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

export interface ValidateOptions {
  /**
   * 'ignore' (the default) mirrors istiod: its webhook, its file and
   * Kubernetes sources decode a spec with protomarshal.ApplyJSON, which
   * retries with AllowUnknownFields and so drops a field it does not know
   * (only unknown top-level fields are refused, by the webhook). 'reject'
   * is `istioctl validate` (strict decoding) and `kubectl apply` against
   * the CRDs (strict field validation): a spec field the CRD schema does not
   * declare is an error, "unknown field". The schema is the one
   * @kubernetes-models/istio carries, which can be older than the Istio a
   * user runs; a field newer than it is then refused.
   */
  readonly unknownFields?: 'ignore' | 'reject';
}

/**
 * Istio kinds: the CRD schema (types, enums and required fields of every
 * field) and Istio's semantic rules. The semantic validators run even when
 * the schema rejects the spec's shape (they never throw on junk), so every
 * problem is reported at once; one message per problem:
 * - a semantic message about something inside a field the schema rejected
 *   is left out (the shape is the problem there), and so is one about an
 *   unknown field itself;
 * - where both speak about the same field (or the schema about something
 *   inside a field Istio's rules spoke about), Istio's own wording wins;
 * - the schema says one thing per field (its type before its enum).
 * Schema messages come first, as a cluster's apiserver checks the schema
 * before the validating webhook sees the object.
 */
export function validateObject(object: ConfigObject, options: ValidateOptions = {}): readonly ConfigError[] {
  const semantic = VALIDATORS.get(object.kind)?.(object) ?? [];
  if (!hasIstioSchema(object)) return semantic;
  const reject = options.unknownFields === 'reject';
  const schema = firstPerPath(checkIstioSchema(object, { unknownFields: reject }).list());
  if (schema.length === 0) return semantic;
  const under = (path: string, parent: string): boolean => path.startsWith(`${parent}.`) || path.startsWith(`${parent}[`);
  // An unknown field's contents, and what Istio's rules say about them, do not matter: the field is the problem.
  const shadows = (s: ConfigError, path: string): boolean => under(path, s.path ?? '') || (s.message === UNKNOWN_FIELD && path === s.path);
  const kept = semantic.filter((e) => !schema.some((s) => shadows(s, e.path ?? '')));
  // A schema message on a field, or inside a field, that Istio's rules already spoke about adds nothing;
  // an unknown field is news whatever was said about the object holding it (a typo'd `rout` beside "route is required").
  const spoken = (e: ConfigError): boolean => {
    const path = e.path ?? '';
    return e.message !== UNKNOWN_FIELD && kept.some((k) => (k.path ?? '') === path || under(path, k.path ?? ''));
  };
  return [...schema.filter((e) => !spoken(e)), ...kept];
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

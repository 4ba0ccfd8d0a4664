/**
 * What the security kinds share: which workloads a policy applies to (a
 * workload selector, or targetRef / targetRefs, at most one of them) and
 * Istio's metadata check for the istio.io/dry-run annotation. A Sidecar's
 * workloadSelector follows the same selector rules.
 */
import type { ConfigObject, JsonObject, JsonValue } from '../config-object.js';
import type { ErrorList } from './error-list.js';
import { arrayField, objectElements, objectField, stringField, stringMapField } from './fields.js';
import { parseGoBool } from './istio-names.js';

const DRY_RUN_ANNOTATION = 'istio.io/dry-run';

/** Istio's allowedTargetRefs, as its message prints them (canonical group/version/kind). */
const ALLOWED_TARGET_REFS: ReadonlyArray<{ readonly group: string; readonly kind: string; readonly printed: string }> = [
  { group: 'core', kind: 'Service', printed: 'core/v1/Service' },
  { group: 'networking.istio.io', kind: 'ServiceEntry', printed: 'networking.istio.io/v1/ServiceEntry' },
  { group: 'gateway.networking.k8s.io', kind: 'Gateway', printed: 'gateway.networking.k8s.io/v1/Gateway' },
  { group: 'gateway.networking.k8s.io', kind: 'GatewayClass', printed: 'gateway.networking.k8s.io/v1/GatewayClass' },
];
/** The CRDs' maxItems for targetRefs. */
const MAX_TARGET_REFS = 16;

/**
 * validateWorkloadSelector (ValidateAlphaWorkloadSelector for a Sidecar's
 * `labels`): keys must be non-empty and no key or value may hold a
 * wildcard; values are at most 63 characters (the CRDs' maxLength).
 */
export function checkWorkloadSelector(errors: ErrorList, value: JsonValue | undefined, path: string, labelsField = 'matchLabels'): void {
  const selector = objectField(errors, value, path);
  if (!selector) return;
  const labels = stringMapField(errors, selector[labelsField], `${path}.${labelsField}`) ?? {};
  for (const [key, label] of Object.entries(labels)) {
    const pair = JSON.stringify(`${key}=${label}`);
    if (key === '') errors.add(`${path}.${labelsField}`, `empty key is not supported in selector: ${pair}`);
    if (key.includes('*') || label.includes('*')) errors.add(`${path}.${labelsField}.${key}`, `wildcard is not supported in selector: ${pair}`);
    if (label.length > 63) errors.add(`${path}.${labelsField}.${key}`, 'must be no more than 63 characters');
  }
}

/** selector, targetRef and targetRefs of AuthorizationPolicy / RequestAuthentication (validateOneOfSelectorType and friends). */
export function checkPolicyTargets(errors: ErrorList, spec: JsonObject): void {
  const set = (field: string): boolean => spec[field] !== undefined && spec[field] !== null;
  const targetRefs = arrayField(errors, spec['targetRefs'], 'spec.targetRefs');
  if ([set('selector'), set('targetRef'), (targetRefs?.length ?? 0) > 0].filter(Boolean).length > 1) {
    errors.add('spec', 'only one of targetRefs or workloadSelector can be set');
  }
  checkWorkloadSelector(errors, spec['selector'], 'spec.selector');
  const targetRef = objectField(errors, spec['targetRef'], 'spec.targetRef');
  if (targetRef) checkTargetRef(errors, targetRef, 'spec.targetRef');
  if ((targetRefs?.length ?? 0) > MAX_TARGET_REFS) errors.add('spec.targetRefs', `must have at most ${MAX_TARGET_REFS} items`);
  for (const [ref, path] of objectElements(errors, targetRefs, 'spec.targetRefs')) checkTargetRef(errors, ref, path);
}

/** validatePolicyTargetReference: a name, no namespace, and a kind a policy can attach to. */
function checkTargetRef(errors: ErrorList, ref: JsonObject, path: string): void {
  const name = stringField(errors, ref['name'], `${path}.name`) ?? '';
  const namespace = stringField(errors, ref['namespace'], `${path}.namespace`) ?? '';
  const group = stringField(errors, ref['group'], `${path}.group`) ?? '';
  const kind = stringField(errors, ref['kind'], `${path}.kind`) ?? '';
  if (name === '') errors.add(`${path}.name`, 'targetRef name must be set');
  if (namespace !== '') errors.add(`${path}.namespace`, 'targetRef namespace must not be set; cross namespace referencing is not supported');
  const canonicalGroup = group === '' ? 'core' : group;
  if (!ALLOWED_TARGET_REFS.some((allowed) => allowed.kind === kind && allowed.group === canonicalGroup)) {
    errors.add(path, `targetRef must be to one of [${ALLOWED_TARGET_REFS.map((a) => a.printed).join(' ')}] but was ${group}/${kind}`);
  }
}

/**
 * Istio's checkDryRunAnnotation: only an AuthorizationPolicy whose action is
 * ALLOW or DENY may carry istio.io/dry-run, and its value must parse as a bool.
 * `action` is the policy's action, or undefined for any other kind.
 */
export function checkDryRunAnnotation(errors: ErrorList, object: ConfigObject, action: string | undefined): void {
  const value = object.metadata.annotations[DRY_RUN_ANNOTATION];
  if (value === undefined) return;
  const path = `metadata.annotations.${DRY_RUN_ANNOTATION}`;
  const { namespace, name } = object.metadata;
  if (action === undefined) {
    errors.add(path, `${namespace}/${name} has unsupported annotation ${DRY_RUN_ANNOTATION}, please remove the annotation`);
  } else if (action !== 'ALLOW' && action !== 'DENY') {
    errors.add(path, `the annotation ${DRY_RUN_ANNOTATION} currently only supports action ALLOW/DENY, found action ${action} in ${namespace}/${name}`);
  } else if (parseGoBool(value) === undefined) {
    const reason = `strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`;
    errors.add(path, `${namespace}/${name} has annotation ${DRY_RUN_ANNOTATION} with invalid value (${value}): ${reason}`);
  }
}

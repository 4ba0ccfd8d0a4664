/**
 * Istio's semantic rules for an AuthorizationPolicy
 * (ValidateAuthorizationPolicy, with pkg/config/security for the values):
 * one way of selecting workloads, an action Istio knows, a provider exactly
 * when the action is CUSTOM, rules for DENY and CUSTOM, and in each rule
 * non-empty sources and operations, well-formed values and `when` keys that
 * name a known attribute.
 *
 * Empty lists count as absent, as they do once Istio has read the YAML into
 * its protobuf types: `rules: []` is "no rules" (ALLOW then allows nothing;
 * DENY and CUSTOM are rejected), and `from: []` or `to: []` match anything.
 */
import type { ConfigObject, JsonValue } from '../config-object.js';
import {
  attributeProblem,
  emptyValueProblem,
  ipProblems,
  pathTemplateProblem,
  portProblems,
  serviceAccountsProblem,
  trustDomainsProblem,
} from './authz-values.js';
import { ErrorList, type ObjectValidator } from './error-list.js';
import { arrayField, enumField, objectField, stringField, stringList } from './fields.js';
import { checkDryRunAnnotation, checkPolicyTargets } from './policy-target.js';

const ACTIONS = ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'] as const;
type Action = (typeof ACTIONS)[number];
/** The CRD's maxItems for rules and for each rule's from. */
const MAX_RULES = 512;
const NEVER_TRIGGERED = 'without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request';

type ValueCheck = 'plain' | 'ip' | 'serviceAccount' | 'trustDomain';
/** Source fields: JSON name, Istio's name in messages, the value rule, and whether a CUSTOM policy may use it. */
const SOURCE_FIELDS: ReadonlyArray<readonly [string, string, ValueCheck, boolean]> = [
  ['principals', 'Principals', 'plain', false],
  ['notPrincipals', 'NotPrincipals', 'plain', false],
  ['requestPrincipals', 'RequestPrincipals', 'plain', false],
  ['notRequestPrincipals', 'NotRequestPrincipals', 'plain', false],
  ['namespaces', 'Namespaces', 'plain', false],
  ['notNamespaces', 'NotNamespaces', 'plain', false],
  ['serviceAccounts', 'ServiceAccounts', 'serviceAccount', false],
  ['notServiceAccounts', 'NotServiceAccounts', 'serviceAccount', false],
  ['trustDomains', 'TrustDomains', 'trustDomain', false],
  ['notTrustDomains', 'NotTrustDomains', 'trustDomain', false],
  ['ipBlocks', 'IpBlocks', 'ip', true],
  ['notIpBlocks', 'NotIpBlocks', 'ip', true],
  ['remoteIpBlocks', 'RemoteIpBlocks', 'ip', true],
  ['notRemoteIpBlocks', 'NotRemoteIpBlocks', 'ip', true],
];
const OPERATION_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['hosts', 'Hosts'],
  ['notHosts', 'NotHosts'],
  ['ports', 'Ports'],
  ['notPorts', 'NotPorts'],
  ['methods', 'Methods'],
  ['notMethods', 'NotMethods'],
  ['paths', 'Paths'],
  ['notPaths', 'NotPaths'],
];
/** Condition keys a CUSTOM policy cannot use: the external authorizer sees neither peer identity nor JWT claims. */
const CUSTOM_UNSUPPORTED_KEYS = new Set(['source.namespace', 'source.serviceAccount', 'source.trustDomain', 'source.principal']);

export const validateAuthorizationPolicy: ObjectValidator = (object: ConfigObject) => {
  const errors = new ErrorList(object);
  const spec = objectField(errors, object.content['spec'], 'spec');
  if (!spec) {
    if (object.content['spec'] === undefined || object.content['spec'] === null) errors.add('spec', 'spec is required');
    checkDryRunAnnotation(errors, object, 'ALLOW');
    return errors.list();
  }
  const actionSet = spec['action'] !== undefined && spec['action'] !== null;
  const action: Action | undefined = actionSet ? enumField(errors, spec['action'], 'spec.action', ACTIONS, 'action') : 'ALLOW';
  if (action) checkDryRunAnnotation(errors, object, action);
  checkPolicyTargets(errors, spec);

  const rules = arrayField(errors, spec['rules'], 'spec.rules');
  const hasRules = rules !== undefined && rules.length > 0;
  if (rules && rules.length > MAX_RULES) errors.add('spec.rules', `must have at most ${MAX_RULES} items`);
  const provider = objectField(errors, spec['provider'], 'spec.provider');
  const providerName = provider ? stringField(errors, provider['name'], 'spec.provider.name') : undefined;
  if (action === 'CUSTOM') {
    if (!hasRules) errors.add('spec.rules', `CUSTOM action ${NEVER_TRIGGERED}`);
    else if (!providerName) errors.add('spec.provider.name', '`provider.name` must not be empty');
  }
  if (spec['provider'] !== undefined && spec['provider'] !== null && action !== undefined && action !== 'CUSTOM') {
    errors.add('spec.provider', `\`provider\` must not be with non CUSTOM action, found ${action}`);
  }
  if (action === 'DENY' && !hasRules) errors.add('spec.rules', `DENY action ${NEVER_TRIGGERED}`);

  (rules ?? []).forEach((rule, i) => checkRule(errors, rule, i, `spec.rules[${i}]`, action === 'CUSTOM'));
  return errors.list();
};

function checkRule(errors: ErrorList, value: JsonValue, index: number, path: string, custom: boolean): void {
  if (value === null) {
    errors.add(path, `\`rule\` must not be nil, found at rule ${index}`);
    return;
  }
  const rule = objectField(errors, value, path);
  if (!rule) return;
  const from = arrayField(errors, rule['from'], `${path}.from`) ?? [];
  if (from.length > MAX_RULES) errors.add(`${path}.from`, `must have at most ${MAX_RULES} items`);
  from.forEach((entry, j) => checkFrom(errors, entry, index, `${path}.from[${j}]`, custom));
  const to = arrayField(errors, rule['to'], `${path}.to`) ?? [];
  to.forEach((entry, j) => checkTo(errors, entry, index, `${path}.to[${j}]`));
  const when = arrayField(errors, rule['when'], `${path}.when`) ?? [];
  when.forEach((entry, j) => checkCondition(errors, entry, `${path}.when[${j}]`, custom));
}

function checkFrom(errors: ErrorList, value: JsonValue, index: number, path: string, custom: boolean): void {
  if (value === null) {
    errors.add(path, `\`from\` must not be nil, found at rule ${index}`);
    return;
  }
  const from = objectField(errors, value, path);
  if (!from) return;
  if (from['source'] === undefined || from['source'] === null) {
    errors.add(`${path}.source`, `\`from.source\` must not be nil, found at rule ${index}`);
    return;
  }
  const sourcePath = `${path}.source`;
  const source = objectField(errors, from['source'], sourcePath);
  if (!source) return;
  for (const [field, name, check, customOk] of SOURCE_FIELDS) {
    const fieldPath = `${sourcePath}.${field}`;
    const values = stringList(errors, source[field], fieldPath);
    if (custom && !customOk && values.length > 0) errors.add(fieldPath, `From.${name} is currently not supported with CUSTOM action`);
    if (check === 'ip') for (const problem of ipProblems(values)) errors.add(fieldPath, problem);
    const problem =
      check === 'serviceAccount'
        ? serviceAccountsProblem(name, values)
        : check === 'trustDomain'
          ? trustDomainsProblem(name, values)
          : emptyValueProblem(name, values);
    if (problem) errors.add(fieldPath, problem);
  }
  const count = (...fields: string[]): number => fields.reduce((n, f) => n + listLength(source[f]), 0);
  if (count('principals', 'notPrincipals', 'namespaces', 'notNamespaces') > 0 && count('serviceAccounts', 'notServiceAccounts') > 0) {
    errors.add(sourcePath, `cannot set serviceAccounts with namespaces or principals, found at rule ${index}`);
  }
  if (count(...SOURCE_FIELDS.map(([field]) => field)) === 0) errors.add(sourcePath, `\`from.source\` must not be empty, found at rule ${index}`);
}

function checkTo(errors: ErrorList, value: JsonValue, index: number, path: string): void {
  if (value === null) {
    errors.add(path, `\`to\` must not be nil, found at rule ${index}`);
    return;
  }
  const to = objectField(errors, value, path);
  if (!to) return;
  if (to['operation'] === undefined || to['operation'] === null) {
    errors.add(`${path}.operation`, `\`to.operation\` must not be nil, found at rule ${index}`);
    return;
  }
  const operationPath = `${path}.operation`;
  const operation = objectField(errors, to['operation'], operationPath);
  if (!operation) return;
  for (const [field, name] of OPERATION_FIELDS) {
    const fieldPath = `${operationPath}.${field}`;
    const values = stringList(errors, operation[field], fieldPath);
    if (field === 'ports' || field === 'notPorts') for (const problem of portProblems(values)) errors.add(fieldPath, problem);
    const empty = emptyValueProblem(name, values);
    if (empty) errors.add(fieldPath, empty);
    if (field === 'paths' || field === 'notPaths') {
      const template = pathTemplateProblem(name, values);
      if (template) errors.add(fieldPath, template);
    }
  }
  if (OPERATION_FIELDS.every(([field]) => listLength(operation[field]) === 0)) {
    errors.add(operationPath, `\`to.operation\` must not be empty, found at rule ${index}`);
  }
}

/** How many items a list field holds, whatever their type (a mistyped item is reported on its own). */
function listLength(value: JsonValue | undefined): number {
  return Array.isArray(value) ? value.length : 0;
}

function checkCondition(errors: ErrorList, value: JsonValue, path: string, custom: boolean): void {
  if (value === null && custom) {
    errors.add(path, 'when field cannot be nil');
    return;
  }
  const condition = value === null ? {} : objectField(errors, value, path);
  if (!condition) return;
  const key = stringField(errors, condition['key'], `${path}.key`) ?? '';
  const values = stringList(errors, condition['values'], `${path}.values`);
  const notValues = stringList(errors, condition['notValues'], `${path}.notValues`);
  if (custom && (CUSTOM_UNSUPPORTED_KEYS.has(key) || key.startsWith('request.auth.'))) {
    errors.add(`${path}.key`, `${key} is currently not supported with CUSTOM action`);
  }
  if (key === '') {
    errors.add(`${path}.key`, '`key` must not be empty');
    return;
  }
  if (values.length === 0 && notValues.length === 0) {
    errors.add(path, `at least one of \`values\` or \`notValues\` must be set for key ${key}`);
    return;
  }
  // Istio checks both lists even when one is empty, reporting an unknown key twice; each list given is checked here.
  const valueProblem = values.length > 0 ? attributeProblem(key, values) : undefined;
  if (valueProblem) errors.add(`${path}.values`, `invalid \`value\` for \`key\` ${key}: ${valueProblem}`);
  const notValueProblem = notValues.length > 0 ? attributeProblem(key, notValues) : undefined;
  if (notValueProblem) errors.add(`${path}.notValues`, `invalid \`notValue\` for \`key\` ${key}: ${notValueProblem}`);
}

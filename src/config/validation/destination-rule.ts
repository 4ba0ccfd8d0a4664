/** Istio's semantic rules for a DestinationRule, for the fields tsiod serves. */
import type { ConfigObject } from '../config-object.js';
import { checkTrafficPolicy } from './traffic-policy.js';
import { ErrorList, type ObjectValidator } from './error-list.js';
import { arrayField, objectElements, requiredSpec, requiredString, stringList, stringMapField } from './fields.js';
import { isIstioDns1123Label } from './istio-names.js';
import { checkLabels, wildcardDomainProblem } from './names.js';

export const validateDestinationRule: ObjectValidator = (object: ConfigObject) => {
  const errors = new ErrorList(object);
  const spec = requiredSpec(errors, object);
  if (!spec) return errors.list();
  const host = requiredString(errors, spec['host'], 'spec.host', 'destination rule must have a host');
  const hostProblem = host === undefined ? undefined : wildcardDomainProblem(host);
  if (hostProblem) errors.add('spec.host', hostProblem);
  checkTrafficPolicy(errors, spec['trafficPolicy'], 'spec.trafficPolicy');
  stringList(errors, spec['exportTo'], 'spec.exportTo');
  const seen = new Set<string>();
  for (const [subset, path] of objectElements(errors, arrayField(errors, spec['subsets'], 'spec.subsets'), 'spec.subsets')) {
    const name = requiredString(errors, subset['name'], `${path}.name`, 'subset name cannot be empty');
    if (name !== undefined) {
      // Istio's DNS-1123 label check accepts upper case ("V1").
      if (!isIstioDns1123Label(name)) errors.add(`${path}.name`, `subset name is invalid: ${name}`);
      else if (seen.has(name)) errors.add(`${path}.name`, `duplicate subset names: ${name}`);
      seen.add(name);
    }
    // Istio allows a subset without labels (it selects every endpoint of the host); labels given must be valid.
    const labels = stringMapField(errors, subset['labels'], `${path}.labels`);
    if (labels) checkLabels(errors, labels, `${path}.labels`);
    checkTrafficPolicy(errors, subset['trafficPolicy'], `${path}.trafficPolicy`);
  }
  return errors.list();
};

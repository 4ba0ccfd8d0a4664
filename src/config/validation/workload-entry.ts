/**
 * WorkloadEntry checks as Istio applies them: an address (IP, FQDN or
 * unix:// socket), port numbers in range keyed by service port name, valid
 * labels and a non-negative weight. The same endpoint shape as a
 * ServiceEntry's inline endpoints, which Istio validates alike.
 */
import type { ConfigObject } from '../config-object.js';
import { ErrorList, type ObjectValidator } from './error-list.js';
import { integerField, objectField, requiredSpec, stringField, stringMapField } from './fields.js';
import { checkLabels, checkPortNumber, isDnsName, isIpAddress } from './names.js';

const UNIX_PREFIX = 'unix://';

export const validateWorkloadEntry: ObjectValidator = (object: ConfigObject) => {
  const errors = new ErrorList(object);
  const spec = requiredSpec(errors, object);
  if (!spec) return errors.list();
  const address = stringField(errors, spec['address'], 'spec.address');
  if (address === undefined || address === '') errors.add('spec.address', 'address is required');
  else if (address.startsWith(UNIX_PREFIX)) {
    if (!address.slice(UNIX_PREFIX.length).startsWith('/')) errors.add('spec.address', `unix socket address ${JSON.stringify(address)} must be an absolute path`);
  } else if (!isIpAddress(address) && !isDnsName(address)) {
    errors.add('spec.address', `address ${JSON.stringify(address)} is not a valid IP address or FQDN`);
  }
  const ports = objectField(errors, spec['ports'], 'spec.ports') ?? {};
  for (const [name, value] of Object.entries(ports)) {
    checkPortNumber(errors, integerField(errors, value, `spec.ports.${name}`), `spec.ports.${name}`);
  }
  const labels = stringMapField(errors, spec['labels'], 'spec.labels');
  if (labels) checkLabels(errors, labels, 'spec.labels');
  const weight = integerField(errors, spec['weight'], 'spec.weight');
  if (weight !== undefined && weight < 0) errors.add('spec.weight', 'must not be negative');
  stringField(errors, spec['locality'], 'spec.locality');
  stringField(errors, spec['network'], 'spec.network');
  stringField(errors, spec['serviceAccount'], 'spec.serviceAccount');
  return errors.list();
};

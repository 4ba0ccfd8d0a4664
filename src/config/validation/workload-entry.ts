/**
 * WorkloadEntry checks as Istio applies them (validateWorkloadEntry): an
 * address (IP, FQDN or unix:// socket without ports) unless a network is
 * given, port numbers in range keyed by valid port names, valid labels and
 * a non-negative weight. The same endpoint shape as a
 * ServiceEntry's inline endpoints, which Istio validates alike.
 */
import type { ConfigObject } from '../config-object.js';
import { ErrorList, type ObjectValidator } from './error-list.js';
import { integerField, objectField, requiredSpec, stringField, stringMapField } from './fields.js';
import { portNameProblem, portProblem, UNIX_ADDRESS_PREFIX, unixAddressProblem } from './istio-names.js';
import { checkLabels, isDnsName, isIpAddress } from './names.js';

export const validateWorkloadEntry: ObjectValidator = (object: ConfigObject) => {
  const errors = new ErrorList(object);
  const spec = requiredSpec(errors, object);
  if (!spec) return errors.list();
  const address = stringField(errors, spec['address'], 'spec.address') ?? '';
  const network = stringField(errors, spec['network'], 'spec.network') ?? '';
  const ports = objectField(errors, spec['ports'], 'spec.ports') ?? {};
  // Istio: an entry on another network may leave the address out (reached through that network's gateway).
  if (address === '' && network === '') {
    if (spec['address'] === undefined || spec['address'] === null || spec['address'] === '') errors.add('spec.address', 'address is required');
  } else if (address.startsWith(UNIX_ADDRESS_PREFIX)) {
    const problem = unixAddressProblem(address.slice(UNIX_ADDRESS_PREFIX.length));
    if (problem) errors.add('spec.address', problem);
    if (Object.keys(ports).length > 0) errors.add('spec.ports', `unix endpoint ${address} must not include ports`);
  } else if (address !== '' && !isIpAddress(address) && !isDnsName(address)) {
    errors.add('spec.address', `endpoint address ${JSON.stringify(address)} is not a valid FQDN or an IP address`);
  }
  for (const [name, value] of Object.entries(ports)) {
    const nameProblem = portNameProblem(name);
    if (nameProblem) errors.add(`spec.ports.${name}`, nameProblem);
    const number = integerField(errors, value, `spec.ports.${name}`);
    const problem = number === undefined ? undefined : portProblem(number);
    if (problem) errors.add(`spec.ports.${name}`, problem);
  }
  const labels = stringMapField(errors, spec['labels'], 'spec.labels');
  if (labels) checkLabels(errors, labels, 'spec.labels');
  const weight = integerField(errors, spec['weight'], 'spec.weight');
  if (weight !== undefined && weight < 0) errors.add('spec.weight', 'must not be negative');
  stringField(errors, spec['locality'], 'spec.locality');
  stringField(errors, spec['serviceAccount'], 'spec.serviceAccount');
  return errors.list();
};

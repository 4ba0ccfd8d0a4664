/** Kubernetes' rules for the Service fields tsiod reads. */
import type { ConfigObject } from '../config-object.js';
import { ErrorList, type ObjectValidator } from './error-list.js';
import { arrayField, integerField, objectElements, requiredSpec, stringField, stringMapField } from './fields.js';
import { checkLabels, checkPortNumber, isDns1123Label } from './names.js';

const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);

export const validateService: ObjectValidator = (object: ConfigObject) => {
  const errors = new ErrorList(object);
  const spec = requiredSpec(errors, object);
  if (!spec) return errors.list();
  const selector = stringMapField(errors, spec['selector'], 'spec.selector');
  if (selector) checkLabels(errors, selector, 'spec.selector');
  stringField(errors, spec['clusterIP'], 'spec.clusterIP');
  stringField(errors, spec['type'], 'spec.type');
  const ports = objectElements(errors, arrayField(errors, spec['ports'], 'spec.ports'), 'spec.ports');
  const names = new Set<string>();
  for (const [port, path] of ports) {
    checkPortNumber(errors, integerField(errors, port['port'], `${path}.port`), `${path}.port`);
    const name = stringField(errors, port['name'], `${path}.name`) ?? '';
    // Kubernetes requires names only when there are several ports, to tell them apart.
    if (name === '' && ports.length > 1) errors.add(`${path}.name`, 'name is required when a Service has more than one port');
    else if (name !== '' && !isDns1123Label(name)) errors.add(`${path}.name`, `invalid port name: ${name}`);
    else if (name !== '' && names.has(name)) errors.add(`${path}.name`, `duplicate port name ${name}`);
    names.add(name);
    const protocol = stringField(errors, port['protocol'], `${path}.protocol`);
    if (protocol !== undefined && !PROTOCOLS.has(protocol)) errors.add(`${path}.protocol`, `unsupported protocol ${protocol}; use TCP, UDP or SCTP`);
    stringField(errors, port['appProtocol'], `${path}.appProtocol`);
    const targetPort = port['targetPort'];
    if (typeof targetPort === 'number') checkPortNumber(errors, Number.isInteger(targetPort) ? targetPort : -1, `${path}.targetPort`);
    else if (typeof targetPort === 'string') {
      if (targetPort === '') errors.add(`${path}.targetPort`, 'must not be empty');
    } else if (targetPort !== undefined && targetPort !== null) errors.add(`${path}.targetPort`, 'must be a port number or a port name');
  }
  return errors.list();
};

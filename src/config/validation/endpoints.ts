/** Kubernetes' rules for the (legacy) Endpoints fields tsiod reads. */
import type { ConfigObject } from '../config-object.js';
import { ErrorList, type ObjectValidator } from './error-list.js';
import { arrayField, integerField, objectElements, objectField, requiredString, stringField } from './fields.js';
import { checkPortNumber, isIpAddress } from './names.js';

export const validateEndpoints: ObjectValidator = (object: ConfigObject) => {
  const errors = new ErrorList(object);
  for (const [subset, path] of objectElements(errors, arrayField(errors, object.content['subsets'], 'subsets'), 'subsets')) {
    for (const field of ['addresses', 'notReadyAddresses']) {
      for (const [address, addressPath] of objectElements(errors, arrayField(errors, subset[field], `${path}.${field}`), `${path}.${field}`)) {
        const ip = requiredString(errors, address['ip'], `${addressPath}.ip`, 'ip is required');
        if (ip !== undefined && !isIpAddress(ip)) errors.add(`${addressPath}.ip`, `${JSON.stringify(ip)} is not an IP address`);
        const targetRef = objectField(errors, address['targetRef'], `${addressPath}.targetRef`);
        if (targetRef) for (const ref of ['kind', 'name', 'namespace']) stringField(errors, targetRef[ref], `${addressPath}.targetRef.${ref}`);
        stringField(errors, address['nodeName'], `${addressPath}.nodeName`);
      }
    }
    for (const [port, portPath] of objectElements(errors, arrayField(errors, subset['ports'], `${path}.ports`), `${path}.ports`)) {
      stringField(errors, port['name'], `${portPath}.name`);
      stringField(errors, port['protocol'], `${portPath}.protocol`);
      checkPortNumber(errors, integerField(errors, port['port'], `${portPath}.port`), `${portPath}.port`);
    }
  }
  return errors.list();
};

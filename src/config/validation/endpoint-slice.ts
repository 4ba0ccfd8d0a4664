/** Kubernetes' rules for the EndpointSlice fields tsiod reads. */
import type { ConfigObject } from '../config-object.js';
import { ErrorList, type ObjectValidator } from './error-list.js';
import { arrayField, booleanField, integerField, objectElements, objectField, requiredString, stringField } from './fields.js';
import { checkPortNumber, isDnsName, isIpAddress } from './names.js';

const ADDRESS_TYPES = new Set(['IPv4', 'IPv6', 'FQDN']);

export const validateEndpointSlice: ObjectValidator = (object: ConfigObject) => {
  const errors = new ErrorList(object);
  const content = object.content;
  const addressType = requiredString(errors, content['addressType'], 'addressType', 'addressType is required (IPv4, IPv6 or FQDN)');
  if (addressType !== undefined && !ADDRESS_TYPES.has(addressType)) errors.add('addressType', `unsupported addressType ${addressType}; use IPv4, IPv6 or FQDN`);
  for (const [endpoint, path] of objectElements(errors, arrayField(errors, content['endpoints'], 'endpoints'), 'endpoints')) {
    const addresses = arrayField(errors, endpoint['addresses'], `${path}.addresses`);
    if (!addresses || addresses.length === 0) errors.add(`${path}.addresses`, 'an endpoint needs at least one address');
    (addresses ?? []).forEach((address, i) => {
      const addressPath = `${path}.addresses[${i}]`;
      if (typeof address !== 'string') errors.add(addressPath, 'must be a string');
      else if (addressType === 'FQDN' ? !isDnsName(address) : !isIpAddress(address)) {
        errors.add(addressPath, `${JSON.stringify(address)} is not a valid ${addressType ?? ''} address`);
      }
    });
    const conditions = objectField(errors, endpoint['conditions'], `${path}.conditions`);
    if (conditions) {
      for (const condition of ['ready', 'serving', 'terminating']) booleanField(errors, conditions[condition], `${path}.conditions.${condition}`);
    }
    const targetRef = objectField(errors, endpoint['targetRef'], `${path}.targetRef`);
    if (targetRef) for (const field of ['kind', 'name', 'namespace']) stringField(errors, targetRef[field], `${path}.targetRef.${field}`);
    stringField(errors, endpoint['zone'], `${path}.zone`);
    stringField(errors, endpoint['nodeName'], `${path}.nodeName`);
  }
  for (const [port, path] of objectElements(errors, arrayField(errors, content['ports'], 'ports'), 'ports')) {
    stringField(errors, port['name'], `${path}.name`);
    stringField(errors, port['protocol'], `${path}.protocol`);
    stringField(errors, port['appProtocol'], `${path}.appProtocol`);
    // Kubernetes allows a null port ("all ports"); tsiod needs a number to send to proxies.
    checkPortNumber(errors, integerField(errors, port['port'], `${path}.port`), `${path}.port`);
  }
  return errors.list();
};

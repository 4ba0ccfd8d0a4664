/** Istio's semantic rules for a ServiceEntry. */
import type { ConfigObject } from '../config-object.js';
import { ErrorList, type ObjectValidator } from './error-list.js';
import { arrayField, integerField, objectElements, objectField, requiredSpec, stringField, stringList, stringMapField } from './fields.js';
import { ipProblems } from './authz-values.js';
import { ipAddressProblem, portNameProblem, portProblem } from './istio-names.js';
import { checkLabels, isDnsName, isIpAddress, wildcardDomainProblem } from './names.js';
import { parseProtocolName } from '../protocol.js';

const RESOLUTIONS = new Set(['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN']);
const LOCATIONS = new Set(['MESH_EXTERNAL', 'MESH_INTERNAL']);
const UNIX_PREFIX = 'unix://';

export const validateServiceEntry: ObjectValidator = (object: ConfigObject) => {
  const errors = new ErrorList(object);
  const spec = requiredSpec(errors, object);
  if (!spec) return errors.list();
  const hosts = stringList(errors, spec['hosts'], 'spec.hosts');
  if (hosts.length === 0) errors.add('spec.hosts', 'service entry must have at least one host');
  hosts.forEach((host, i) => {
    if (host === '*') errors.add(`spec.hosts[${i}]`, 'invalid host *');
    else {
      const problem = wildcardDomainProblem(host);
      if (problem) errors.add(`spec.hosts[${i}]`, problem);
    }
  });
  const addresses = stringList(errors, spec['addresses'], 'spec.addresses');
  addresses.forEach((address, i) => {
    const problem = ipSubnetProblem(address);
    if (problem) errors.add(`spec.addresses[${i}]`, problem);
  });
  stringList(errors, spec['exportTo'], 'spec.exportTo');

  const resolution = stringField(errors, spec['resolution'], 'spec.resolution') ?? 'NONE';
  if (!RESOLUTIONS.has(resolution)) errors.add('spec.resolution', `unsupported resolution type ${resolution}; use NONE, STATIC, DNS or DNS_ROUND_ROBIN`);
  if (addresses.some((a) => a.includes('/')) && resolution !== 'NONE' && resolution !== 'STATIC') {
    errors.add('spec.addresses', 'CIDR addresses are allowed only for NONE/STATIC resolution types');
  }
  const location = stringField(errors, spec['location'], 'spec.location');
  if (location !== undefined && !LOCATIONS.has(location)) errors.add('spec.location', `unsupported location ${location}; use MESH_EXTERNAL or MESH_INTERNAL`);

  const portNames = new Set<string>();
  const portNumbers = new Set<number>();
  const protocols: string[] = [];
  const ports = objectElements(errors, arrayField(errors, spec['ports'], 'spec.ports'), 'spec.ports');
  if (ports.length === 0) errors.add('spec.ports', 'service entry must have at least one port');
  for (const [port, path] of ports) {
    const number = integerField(errors, port['number'], `${path}.number`);
    if (number === undefined) {
      if (port['number'] == null) errors.add(`${path}.number`, 'port number is required');
    } else {
      const problem = portProblem(number);
      if (problem) errors.add(`${path}.number`, problem);
      if (portNumbers.has(number)) errors.add(`${path}.number`, `service entry port ${number} already defined`);
      portNumbers.add(number);
    }
    // ValidatePortName: Istio's DNS-1123 label, which accepts upper case.
    const name = stringField(errors, port['name'], `${path}.name`) ?? '';
    const nameProblem = portNameProblem(name);
    if (nameProblem) errors.add(`${path}.name`, nameProblem);
    else {
      if (portNames.has(name)) errors.add(`${path}.name`, `service entry port name ${JSON.stringify(name)} already defined`);
      portNames.add(name);
    }
    const protocol = stringField(errors, port['protocol'], `${path}.protocol`);
    // An empty protocol asks Istio for protocol sniffing; anything else must be a protocol it knows.
    if (protocol !== undefined && protocol !== '' && parseProtocolName(protocol) === undefined) {
      errors.add(`${path}.protocol`, `unsupported protocol: ${protocol}`);
    }
    protocols.push(protocol ?? '');
    const targetPort = integerField(errors, port['targetPort'], `${path}.targetPort`);
    const targetProblem = targetPort === undefined || targetPort === 0 ? undefined : portProblem(targetPort);
    if (targetProblem) errors.add(`${path}.targetPort`, targetProblem);
  }

  const endpoints = objectElements(errors, arrayField(errors, spec['endpoints'], 'spec.endpoints'), 'spec.endpoints');
  const hasSelector = spec['workloadSelector'] !== undefined && spec['workloadSelector'] !== null;
  if (resolution === 'NONE' && endpoints.length > 0) errors.add('spec.endpoints', 'no endpoints should be provided for resolution type none');
  // STATIC without endpoints is valid (Istio #19036): the endpoints may come from WorkloadEntries, or there are none yet.
  if (hasSelector && endpoints.length > 0) errors.add('spec', 'only one of WorkloadSelector or Endpoints is allowed in Service Entry');
  if ((resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN') && endpoints.length === 0) {
    hosts.forEach((host, i) => {
      if (host !== '*' && !isDnsName(host)) errors.add(`spec.hosts[${i}]`, `hosts must be FQDN if no endpoints are provided for resolution mode ${resolution}`);
    });
  }
  if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1) errors.add('spec.endpoints', 'there must only be 0 or 1 endpoint for resolution mode DNS_ROUND_ROBIN');
  for (const [endpoint, path] of endpoints) {
    const address = stringField(errors, endpoint['address'], `${path}.address`);
    if (address === undefined || address === '') errors.add(`${path}.address`, 'address is required');
    else if (resolution === 'STATIC' && !address.startsWith(UNIX_PREFIX) && !isIpAddress(address)) {
      errors.add(`${path}.address`, `endpoint address ${JSON.stringify(address)} is not a valid IP address`);
    } else if (resolution !== 'STATIC' && !isIpAddress(address) && !isDnsName(address)) {
      errors.add(`${path}.address`, `endpoint address ${JSON.stringify(address)} is not a valid FQDN or an IP address`);
    }
    const endpointPorts = objectField(errors, endpoint['ports'], `${path}.ports`) ?? {};
    for (const [name, value] of Object.entries(endpointPorts)) {
      if (!portNames.has(name)) errors.add(`${path}.ports.${name}`, `endpoint port ${name} is not defined by the service entry`);
      const number = integerField(errors, value, `${path}.ports.${name}`);
      const problem = number === undefined ? undefined : portProblem(number);
      if (problem) errors.add(`${path}.ports.${name}`, problem);
    }
    const labels = stringMapField(errors, endpoint['labels'], `${path}.labels`);
    if (labels) checkLabels(errors, labels, `${path}.labels`);
    const weight = integerField(errors, endpoint['weight'], `${path}.weight`);
    if (weight !== undefined && weight < 0) errors.add(`${path}.weight`, 'must not be negative');
    stringField(errors, endpoint['locality'], `${path}.locality`);
    stringField(errors, endpoint['network'], `${path}.network`);
  }

  // Plain TCP cannot tell hosts apart (no Host header, no SNI), so several hosts need HTTP or TLS ports unless resolution is NONE.
  if (resolution !== 'NONE' && hosts.length > 1) {
    const distinguishable = protocols.every((p) => {
      const parsed = parseProtocolName(p);
      return parsed === 'HTTP' || parsed === 'HTTP2' || parsed === 'GRPC' || parsed === 'HTTPS' || parsed === 'TLS';
    });
    if (!distinguishable) errors.add('spec.ports', 'multiple hosts provided with non-HTTP, non-TLS ports');
  }
  return errors.list();
};

/** agent.ValidateIPSubnet: an address with one slash is a CIDR block, anything else an IP address. */
function ipSubnetProblem(value: string): string | undefined {
  if (value.split('/').length === 2) return ipProblems([value]).length > 0 ? `${value} is not a valid CIDR block` : undefined;
  return ipAddressProblem(value);
}

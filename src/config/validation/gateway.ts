/**
 * Istio's semantic rules for a Gateway (ValidateGateway, validateServer,
 * validateServerPort, validateServerBind, validateTLSOptions): a DNS-label
 * name, at least one server, and on each server hosts of the form
 * [namespace/]dnsName, a complete port, a valid bind, TLS settings that fit
 * the port's protocol, and port names unique across servers.
 */
import type { ConfigObject, JsonObject } from '../config-object.js';
import { parseProtocolName } from '../protocol.js';
import { ErrorList, type ObjectValidator } from './error-list.js';
import { arrayField, integerField, objectElements, objectField, requiredSpec, stringField, stringList, stringMapField } from './fields.js';
import { ipAddressProblem, isIstioDns1123Label, namespacedHostProblems, portProblem, UNIX_ADDRESS_PREFIX, unixAddressProblem } from './istio-names.js';
import { checkServerTlsOptions, readServerTls } from './server-tls.js';

const SUPPORTED_PROTOCOLS = 'HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP';

export const validateGateway: ObjectValidator = (object: ConfigObject) => {
  const errors = new ErrorList(object);
  const { name } = object.metadata;
  if (!isIstioDns1123Label(name)) errors.add('metadata.name', `invalid gateway name: ${JSON.stringify(name)}`);
  const spec = requiredSpec(errors, object);
  if (!spec) return errors.list();
  stringMapField(errors, spec['selector'], 'spec.selector');
  const servers = objectElements(errors, arrayField(errors, spec['servers'], 'spec.servers'), 'spec.servers');
  if (servers.length === 0 && !(Array.isArray(spec['servers']) && spec['servers'].length > 0)) {
    errors.add('spec.servers', 'gateway must have at least one server');
  }
  const portNames = new Set<string>();
  for (const [server, path] of servers) {
    const portName = checkServer(errors, server, path);
    if (portName === undefined || portName === '') continue;
    if (portNames.has(portName)) errors.add(`${path}.port.name`, `port names in servers must be unique: duplicate name ${portName}`);
    portNames.add(portName);
  }
  return errors.list();
};

/** validateServer; returns the server's port name, for the uniqueness check across servers. */
function checkServer(errors: ErrorList, server: JsonObject, path: string): string | undefined {
  const hosts = stringList(errors, server['hosts'], `${path}.hosts`);
  if (hosts.length === 0 && !(Array.isArray(server['hosts']) && server['hosts'].length > 0)) {
    errors.add(`${path}.hosts`, 'server config must contain at least one host');
  }
  hosts.forEach((host, i) => {
    for (const problem of namespacedHostProblems(host, true)) errors.add(`${path}.hosts[${i}]`, problem);
  });
  stringField(errors, server['name'], `${path}.name`);
  stringField(errors, server['defaultEndpoint'], `${path}.defaultEndpoint`);
  const bind = stringField(errors, server['bind'], `${path}.bind`) ?? '';

  // validateServerPort: any problem here also skips the protocol/TLS consistency check below, as in Istio.
  const before = errors.list().length;
  const port = objectField(errors, server['port'], `${path}.port`);
  let portName: string | undefined;
  let portNumber: number | undefined;
  let protocolName: string | undefined;
  if (!port) {
    if (server['port'] === undefined || server['port'] === null) errors.add(`${path}.port`, 'port is required');
  } else {
    // A field of the wrong type has been reported as such; its zero value is not checked again.
    const absent = (field: string): boolean => port[field] === undefined || port[field] === null;
    protocolName = stringField(errors, port['protocol'], `${path}.port.protocol`) ?? '';
    if (parseProtocolName(protocolName) === undefined && (typeof port['protocol'] === 'string' || absent('protocol'))) {
      errors.add(`${path}.port.protocol`, `invalid protocol ${JSON.stringify(protocolName)}, supported protocols are ${SUPPORTED_PROTOCOLS}`);
    }
    const number = integerField(errors, port['number'], `${path}.port.number`);
    portNumber = number ?? 0;
    // A server bound to a unix domain socket has port number 0.
    if ((number !== undefined || absent('number')) && (portNumber > 0 || !bind.startsWith(UNIX_ADDRESS_PREFIX))) {
      const problem = portProblem(portNumber);
      if (problem) errors.add(`${path}.port.number`, problem);
    }
    const targetPort = integerField(errors, port['targetPort'], `${path}.port.targetPort`);
    if (targetPort !== undefined && targetPort > 0) errors.add(`${path}.port.targetPort`, 'targetPort has no impact on Gateways');
    portName = stringField(errors, port['name'], `${path}.port.name`) ?? '';
    if (portName === '') errors.add(`${path}.port.name`, 'port name must be set');
  }
  const portValid = port !== undefined && errors.list().length === before;

  // validateServerBind
  if (bind.startsWith(UNIX_ADDRESS_PREFIX)) {
    const problem = unixAddressProblem(bind.slice(UNIX_ADDRESS_PREFIX.length));
    if (problem) errors.add(`${path}.bind`, problem);
    if (portNumber !== undefined && portNumber !== 0) errors.add(`${path}.port.number`, 'port number must be 0 for unix domain socket');
  } else if (bind !== '') {
    const problem = ipAddressProblem(bind);
    if (problem) errors.add(`${path}.bind`, problem);
  }

  const tls = readServerTls(errors, server['tls'], `${path}.tls`);
  if (tls) checkServerTlsOptions(errors, tls, `${path}.tls`);
  if (portValid && protocolName !== undefined) {
    const protocol = parseProtocolName(protocolName);
    const isTls = protocol === 'HTTPS' || protocol === 'TLS';
    const isHttp = protocol === 'HTTP' || protocol === 'HTTP2' || protocol === 'GRPC';
    const hasTls = server['tls'] !== undefined && server['tls'] !== null;
    if (isTls && !hasTls) errors.add(`${path}.tls`, 'server must have TLS settings for HTTPS/TLS protocols');
    else if (!isTls && hasTls && tls) {
      if (isHttp) {
        // A plain HTTP server may carry TLS settings only to redirect to HTTPS: a passthrough mode and no certificates.
        const passthrough = tls.mode === 'PASSTHROUGH' || tls.mode === 'AUTO_PASSTHROUGH';
        if (!passthrough || tls.caCertificates !== '' || tls.privateKey !== '' || tls.serverCertificate !== '') {
          errors.add(`${path}.tls`, 'server cannot have TLS settings for plain text HTTP ports');
        }
      } else {
        errors.add(`${path}.tls`, 'server cannot have TLS settings for non HTTPS/TLS ports');
      }
    }
  }
  return portName;
}

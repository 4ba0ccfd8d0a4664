/**
 * Istio's semantic rules for a Sidecar (ValidateSidecar and the functions it
 * calls): a workload selector without wildcards, something to configure,
 * ingress listeners with a port, a loopback/unix defaultEndpoint and the TLS
 * a sidecar supports, egress listeners with "namespace/dnsName" hosts and at
 * most one catch-all (port-less) listener, last, and an outbound traffic
 * policy whose egress proxy goes with ALLOW_ANY.
 */
import type { ConfigObject, JsonObject, JsonValue } from '../config-object.js';
import { parseProtocolName } from '../protocol.js';
import { checkConnectionPool } from './connection-pool.js';
import { ErrorList, type ObjectValidator } from './error-list.js';
import { arrayField, enumField, integerField, objectElements, objectField, requiredSpec, stringField, stringList } from './fields.js';
import {
  fqdnProblem,
  ipAddressProblem,
  isIstioDns1123Label,
  namespacedHostProblems,
  portNameProblem,
  portProblem,
  splitHostPort,
  UNIX_ADDRESS_PREFIX,
  unixAddressProblem,
} from './istio-names.js';
import { checkWorkloadSelector } from './policy-target.js';
import { checkServerTlsOptions, readServerTls } from './server-tls.js';

const CAPTURE_MODES = ['DEFAULT', 'IPTABLES', 'NONE'] as const;
const OUTBOUND_MODES = ['REGISTRY_ONLY', 'ALLOW_ANY'] as const;
/** defaultEndpoint hosts a sidecar can forward inbound traffic to. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '0.0.0.0', '::1', '::']);

export const validateSidecar: ObjectValidator = (object: ConfigObject) => {
  const errors = new ErrorList(object);
  const spec = requiredSpec(errors, object);
  if (!spec) return errors.list();
  checkWorkloadSelector(errors, spec['workloadSelector'], 'spec.workloadSelector', 'labels');
  const present = (field: string): boolean => spec[field] !== undefined && spec[field] !== null;
  const nonEmpty = (field: string): boolean => present(field) && !(Array.isArray(spec[field]) && spec[field].length === 0);
  if (!nonEmpty('egress') && !nonEmpty('ingress') && !present('outboundTrafficPolicy') && !present('inboundConnectionPool')) {
    errors.add('spec', 'sidecar: empty configuration provided');
    return errors.list();
  }

  const ingressPorts = new Set<number>();
  for (const [ingress, path] of objectElements(errors, arrayField(errors, spec['ingress'], 'spec.ingress'), 'spec.ingress')) {
    checkIngress(errors, ingress, path, ingressPorts);
  }
  checkConnectionPool(errors, spec['inboundConnectionPool'], 'spec.inboundConnectionPool');

  const egressPorts = new Set<number>();
  const socketPaths = new Set<string>();
  const egress = objectElements(errors, arrayField(errors, spec['egress'], 'spec.egress'), 'spec.egress');
  const egressCount = Array.isArray(spec['egress']) ? spec['egress'].length : 0;
  for (const [listener, path] of egress) {
    checkEgress(errors, listener, path, path === `spec.egress[${egressCount - 1}]`, egressPorts, socketPaths);
  }
  checkOutboundTrafficPolicy(errors, spec['outboundTrafficPolicy'], 'spec.outboundTrafficPolicy');
  return errors.list();
};

interface SidecarPort {
  readonly number: number;
  readonly protocol: string;
}

/** The shape of a SidecarPort plus its name, protocol and (unless zero is allowed) number checks. */
function readPort(errors: ErrorList, port: JsonObject, path: string, allowZero: boolean): SidecarPort {
  const name = stringField(errors, port['name'], `${path}.name`) ?? '';
  if (name !== '') {
    const problem = portNameProblem(name);
    if (problem) errors.add(`${path}.name`, problem);
  }
  // ValidateProtocol: an empty protocol asks for protocol sniffing.
  const protocol = stringField(errors, port['protocol'], `${path}.protocol`) ?? '';
  if (protocol !== '' && parseProtocolName(protocol) === undefined) errors.add(`${path}.protocol`, `unsupported protocol: ${protocol}`);
  const number = integerField(errors, port['number'], `${path}.number`) ?? 0;
  if (!(allowZero && number === 0)) {
    const problem = portProblem(number);
    if (problem) errors.add(`${path}.number`, problem);
  }
  const targetPort = integerField(errors, port['targetPort'], `${path}.targetPort`);
  if (targetPort !== undefined && targetPort > 0) errors.add(`${path}.targetPort`, 'targetPort has no impact on Sidecars');
  return { number, protocol };
}

function checkIngress(errors: ErrorList, ingress: JsonObject, path: string, seenPorts: Set<number>): void {
  const portObject = objectField(errors, ingress['port'], `${path}.port`);
  if (!portObject) {
    if (ingress['port'] === undefined || ingress['port'] === null) errors.add(`${path}.port`, 'sidecar: port is required for ingress listeners');
    return;
  }
  const port = readPort(errors, portObject, `${path}.port`, false);
  const bind = stringField(errors, ingress['bind'], `${path}.bind`) ?? '';
  if (bind !== '') {
    const problem = ipAddressProblem(bind);
    if (problem) errors.add(`${path}.bind`, problem);
  }
  enumField(errors, ingress['captureMode'], `${path}.captureMode`, CAPTURE_MODES, 'capture mode');
  if (seenPorts.has(port.number)) errors.add(`${path}.port.number`, 'sidecar: ports on IP bound listeners must be unique');
  seenPorts.add(port.number);

  const endpoint = stringField(errors, ingress['defaultEndpoint'], `${path}.defaultEndpoint`) ?? '';
  if (endpoint !== '') {
    for (const problem of defaultEndpointProblems(endpoint)) errors.add(`${path}.defaultEndpoint`, problem);
  }

  const tlsPath = `${path}.tls`;
  const tls = readServerTls(errors, ingress['tls'], tlsPath);
  if (tls) {
    if (tls.subjectAltNames.length > 0) errors.add(`${tlsPath}.subjectAltNames`, 'sidecar: subjectAltNames is not supported in ingress tls');
    if (tls.httpsRedirect) errors.add(`${tlsPath}.httpsRedirect`, 'sidecar: httpsRedirect is not supported');
    if (tls.credentialName !== '') errors.add(`${tlsPath}.credentialName`, 'sidecar: credentialName is not currently supported');
    if (tls.credentialNames.length > 0) errors.add(`${tlsPath}.credentialNames`, 'sidecar: credentialNames is not currently supported');
    if (tls.tlsCertificates.length > 0) errors.add(`${tlsPath}.tlsCertificates`, 'sidecar: tls_certificates is not currently supported');
    if (tls.mode === 'ISTIO_MUTUAL' || tls.mode === 'AUTO_PASSTHROUGH') {
      errors.add(`${tlsPath}.mode`, `configuration is invalid: cannot set mode to ${tls.mode} in sidecar ingress tls`);
    }
    const protocol = parseProtocolName(port.protocol);
    if (protocol !== 'HTTPS' && protocol !== 'TLS') errors.add(tlsPath, 'server cannot have TLS settings for non HTTPS/TLS ports');
    checkServerTlsOptions(errors, tls, tlsPath);
  }
  checkConnectionPool(errors, ingress['connectionPool'], `${path}.connectionPool`);
}

/** An ingress defaultEndpoint: unix://path, or 127.0.0.1 / 0.0.0.0 / [::1] / [::] (or no host) and a port. */
function defaultEndpointProblems(endpoint: string): string[] {
  if (endpoint.startsWith(UNIX_ADDRESS_PREFIX)) {
    const problem = unixAddressProblem(endpoint.slice(UNIX_ADDRESS_PREFIX.length));
    return problem ? [problem] : [];
  }
  const split = splitHostPort(endpoint);
  if ('error' in split) return [split.error];
  const problems: string[] = [];
  if (split.host !== '' && !LOOPBACK_HOSTS.has(split.host)) {
    problems.push('sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset');
  }
  // strconv.Atoi
  if (!/^[+-]?\d+$/.test(split.port)) {
    problems.push(`sidecar: defaultEndpoint port (${split.port}) is not a number: strconv.Atoi: parsing ${JSON.stringify(split.port)}: invalid syntax`);
  } else {
    const problem = portProblem(Number(split.port));
    if (problem) problems.push(problem);
  }
  return problems;
}

function checkEgress(
  errors: ErrorList,
  listener: JsonObject,
  path: string,
  isLast: boolean,
  seenPorts: Set<number>,
  seenSockets: Set<string>,
): void {
  const bind = stringField(errors, listener['bind'], `${path}.bind`) ?? '';
  const captureMode = enumField(errors, listener['captureMode'], `${path}.captureMode`, CAPTURE_MODES, 'capture mode') ?? 'DEFAULT';
  const portObject = objectField(errors, listener['port'], `${path}.port`);
  if (listener['port'] === undefined || listener['port'] === null) {
    // The catch-all listener (no port) takes whatever the others do not, so it must come last.
    if (!isLast) errors.add(`${path}.port`, 'sidecar: the egress listener with empty port should be the last listener in the list');
  } else if (portObject) {
    // validateSidecarEgressPortBindAndCaptureMode: port 0 means a unix domain socket listener.
    const port = readPort(errors, portObject, `${path}.port`, true);
    if (port.number === 0) {
      if (!bind.startsWith(UNIX_ADDRESS_PREFIX)) errors.add(`${path}.bind`, 'sidecar: ports with 0 value must have a unix domain socket bind address');
      else {
        const problem = unixAddressProblem(bind.slice(UNIX_ADDRESS_PREFIX.length));
        if (problem) errors.add(`${path}.bind`, problem);
      }
      if (captureMode !== 'DEFAULT' && captureMode !== 'NONE') {
        errors.add(`${path}.captureMode`, 'sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners');
      }
      if (seenSockets.has(bind)) errors.add(`${path}.bind`, 'sidecar: unix domain socket values for listeners must be unique');
      seenSockets.add(bind);
    } else {
      if (bind !== '') {
        const problem = ipAddressProblem(bind);
        if (problem) errors.add(`${path}.bind`, problem);
      }
      if (seenPorts.has(port.number)) errors.add(`${path}.port.number`, 'sidecar: ports on IP bound listeners must be unique');
      seenPorts.add(port.number);
    }
  }

  const hosts = stringList(errors, listener['hosts'], `${path}.hosts`);
  if (hosts.length === 0 && !(Array.isArray(listener['hosts']) && listener['hosts'].length > 0)) {
    errors.add(`${path}.hosts`, 'sidecar: egress listener must contain at least one host');
  }
  hosts.forEach((host, i) => {
    for (const problem of namespacedHostProblems(host, false)) errors.add(`${path}.hosts[${i}]`, problem);
  });
}

/** validateSidecarOutboundTrafficPolicy, plus the mode's enum. */
function checkOutboundTrafficPolicy(errors: ErrorList, value: JsonValue | undefined, path: string): void {
  const policy = objectField(errors, value, path);
  if (!policy) return;
  if (policy['mode'] === 'ALLOW_ANY_DYNAMIC_DNS') {
    errors.add(`${path}.mode`, 'sidecar: ALLOW_ANY_DYNAMIC_DNS mode is only supported in MeshConfig, not in Sidecar resource');
    return;
  }
  const mode = enumField(errors, policy['mode'], `${path}.mode`, OUTBOUND_MODES, 'outbound traffic policy mode') ?? 'REGISTRY_ONLY';
  const proxy = objectField(errors, policy['egressProxy'], `${path}.egressProxy`);
  if (!proxy) return;
  if (mode !== 'ALLOW_ANY') {
    errors.add(`${path}.egressProxy`, 'sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode');
    return;
  }
  const host = stringField(errors, proxy['host'], `${path}.egressProxy.host`) ?? '';
  const hostProblem = fqdnProblem(host);
  if (hostProblem) errors.add(`${path}.egressProxy.host`, hostProblem);
  const port = objectField(errors, proxy['port'], `${path}.egressProxy.port`);
  if (!port) {
    if (proxy['port'] === undefined || proxy['port'] === null) errors.add(`${path}.egressProxy.port`, 'sidecar: egress_proxy port must be non-nil');
    return;
  }
  // validateDestination; its wildcard-domain check accepts every host the FQDN check above accepts.
  if (host === '*') errors.add(`${path}.egressProxy.host`, 'invalid destination host *');
  const subset = stringField(errors, proxy['subset'], `${path}.egressProxy.subset`) ?? '';
  if (subset !== '' && !isIstioDns1123Label(subset)) errors.add(`${path}.egressProxy.subset`, `subset name is invalid: ${subset}`);
  const number = integerField(errors, port['number'], `${path}.egressProxy.port.number`) ?? 0;
  const problem = portProblem(number);
  if (problem) errors.add(`${path}.egressProxy.port.number`, problem);
}

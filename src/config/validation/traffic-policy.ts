/**
 * A DestinationRule's TrafficPolicy (top level, per subset, per port):
 * Istio's validateTrafficPolicy and the checks it calls, for the fields
 * tsiod translates.
 */
import type { JsonObject, JsonValue } from '../config-object.js';
import type { ErrorList } from './error-list.js';
import { checkConnectionPool, checkDurationField } from './connection-pool.js';
import { arrayField, booleanField, enumField, integerField, objectElements, objectField, stringField } from './fields.js';
import { checkPortNumber } from './names.js';

const SIMPLE_LB = ['UNSPECIFIED', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST'] as const;
const TLS_MODES = ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'] as const;
const POLICY_FIELDS = ['outlierDetection', 'connectionPool', 'loadBalancer', 'tls', 'portLevelSettings', 'tunnel', 'proxyProtocol', 'retryBudget'];

export function checkTrafficPolicy(errors: ErrorList, value: JsonValue | undefined, path: string, allowPortLevel = true): void {
  const policy = objectField(errors, value, path);
  if (!policy) return;
  if (POLICY_FIELDS.every((f) => policy[f] == null)) {
    errors.add(path, 'traffic policy must have at least one field');
    return;
  }
  checkConnectionPool(errors, policy['connectionPool'], `${path}.connectionPool`);
  checkOutlierDetection(errors, policy['outlierDetection'], `${path}.outlierDetection`);
  checkLoadBalancer(errors, policy['loadBalancer'], `${path}.loadBalancer`);
  checkClientTls(errors, policy['tls'], `${path}.tls`);
  if (!allowPortLevel) return;
  for (const [portPolicy, portPath] of objectElements(errors, arrayField(errors, policy['portLevelSettings'], `${path}.portLevelSettings`), `${path}.portLevelSettings`)) {
    const port = objectField(errors, portPolicy['port'], `${portPath}.port`);
    const number = port ? integerField(errors, port['number'], `${portPath}.port.number`) : undefined;
    if (number === undefined) errors.add(`${portPath}.port`, 'portTrafficPolicy must have valid port');
    else checkPortNumber(errors, number, `${portPath}.port.number`);
    const { port: _port, ...rest } = portPolicy;
    if (Object.values(rest).every((v) => v == null)) errors.add(portPath, 'port traffic policy must have at least one field');
    else checkTrafficPolicy(errors, rest as JsonObject, portPath, false);
  }
}

/** Istio's validateOutlierDetection: counts not negative, durations valid, percentages in 0..100. */
function checkOutlierDetection(errors: ErrorList, value: JsonValue | undefined, path: string): void {
  const outlier = objectField(errors, value, path);
  if (!outlier) return;
  for (const field of ['consecutiveErrors', 'consecutive5xxErrors', 'consecutiveGatewayErrors', 'consecutiveLocalOriginFailures']) {
    const raw = outlier[field];
    // Istio's consecutive5xxErrors and consecutiveGatewayErrors are UInt32Values: {value: n} or a bare number in YAML.
    const n = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? integerField(errors, (raw as JsonObject)['value'], `${path}.${field}.value`) : integerField(errors, raw, `${path}.${field}`);
    if (n !== undefined && n < 0) errors.add(`${path}.${field}`, 'outlier detection consecutive errors cannot be negative');
  }
  checkDurationField(errors, outlier['interval'], `${path}.interval`);
  checkDurationField(errors, outlier['baseEjectionTime'], `${path}.baseEjectionTime`);
  for (const field of ['maxEjectionPercent', 'minHealthPercent']) {
    const percent = integerField(errors, outlier[field], `${path}.${field}`);
    if (percent !== undefined && (percent < 0 || percent > 100)) errors.add(`${path}.${field}`, `percentage ${percent} is not in range 0..100`);
  }
  booleanField(errors, outlier['splitExternalLocalOriginErrors'], `${path}.splitExternalLocalOriginErrors`);
}

/** simple or consistentHash (one hash key), as Istio's validateLoadBalancer. */
function checkLoadBalancer(errors: ErrorList, value: JsonValue | undefined, path: string): void {
  const lb = objectField(errors, value, path);
  if (!lb) return;
  enumField(errors, lb['simple'], `${path}.simple`, SIMPLE_LB, 'load balancer');
  const hash = objectField(errors, lb['consistentHash'], `${path}.consistentHash`);
  if (!hash) return;
  const keys = ['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'].filter((k) => hash[k] != null);
  if (keys.length > 1) errors.add(`${path}.consistentHash`, `only one hash key may be set (found ${keys.join(', ')})`);
  const cookie = objectField(errors, hash['httpCookie'], `${path}.consistentHash.httpCookie`);
  if (cookie) {
    const name = stringField(errors, cookie['name'], `${path}.consistentHash.httpCookie.name`);
    if (!name) errors.add(`${path}.consistentHash.httpCookie.name`, 'name required for HttpCookie');
    const ttl = stringField(errors, cookie['ttl'], `${path}.consistentHash.httpCookie.ttl`);
    // A 0s ttl asks Envoy for a session cookie, so it is allowed.
    if (ttl !== undefined && ttl !== '0s' && ttl !== '0') checkDurationField(errors, ttl, `${path}.consistentHash.httpCookie.ttl`);
  }
  const maglev = objectField(errors, hash['maglev'], `${path}.consistentHash.maglev`);
  if (maglev) {
    const size = integerField(errors, maglev['tableSize'], `${path}.consistentHash.maglev.tableSize`);
    if (size === undefined) errors.add(`${path}.consistentHash.maglev.tableSize`, 'tableSize must be set for maglev');
    else if (size >= 5000011) errors.add(`${path}.consistentHash.maglev.tableSize`, 'tableSize must be less than 5000011 for maglev');
    else if (!isPrime(size)) errors.add(`${path}.consistentHash.maglev.tableSize`, 'tableSize must be a prime number for maglev');
  }
}

/** ClientTLSSettings: MUTUAL needs a client certificate and key unless credentialName gives them (Istio's ValidateTLS). */
function checkClientTls(errors: ErrorList, value: JsonValue | undefined, path: string): void {
  const tls = objectField(errors, value, path);
  if (!tls) return;
  const mode = enumField(errors, tls['mode'], `${path}.mode`, TLS_MODES, 'TLS mode');
  const credentialName = stringField(errors, tls['credentialName'], `${path}.credentialName`);
  const clientCertificate = stringField(errors, tls['clientCertificate'], `${path}.clientCertificate`);
  const privateKey = stringField(errors, tls['privateKey'], `${path}.privateKey`);
  if (mode === 'MUTUAL' && !credentialName) {
    if (!clientCertificate) errors.add(`${path}.clientCertificate`, 'client certificate required for mutual tls');
    if (!privateKey) errors.add(`${path}.privateKey`, 'private key required for mutual tls');
  }
  if (credentialName && (clientCertificate || privateKey || stringField(errors, tls['caCertificates'], `${path}.caCertificates`))) {
    errors.add(path, 'cannot specify client certificates or CA certificate or CA CRL If credentialName is set');
  }
}

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let i = 2; i * i <= n; i++) if (n % i === 0) return false;
  return true;
}

/**
 * ConnectionPoolSettings (a Sidecar's inboundConnectionPool and per-port
 * ingress pools; DestinationRule traffic policies use the same message):
 * Istio's validateConnectionPool.
 */
import type { JsonObject, JsonValue } from '../config-object.js';
import type { ErrorList } from './error-list.js';
import { booleanField, enumField, integerField, objectField, stringField } from './fields.js';
import { parseDurationMs } from '../duration.js';
import { durationProblem } from './istio-names.js';

const H2_UPGRADE_POLICIES = ['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE'] as const;

export function checkConnectionPool(errors: ErrorList, value: JsonValue | undefined, path: string): void {
  const pool = objectField(errors, value, path);
  if (!pool) return;
  const http = objectField(errors, pool['http'], `${path}.http`);
  const tcp = objectField(errors, pool['tcp'], `${path}.tcp`);
  if (!http && !tcp) {
    if (pool['http'] == null && pool['tcp'] == null) errors.add(path, 'connection pool must have at least one field');
    return;
  }
  if (http) {
    const p = `${path}.http`;
    nonNegative(errors, http, 'http1MaxPendingRequests', p, 'http1 max pending requests must be non-negative');
    nonNegative(errors, http, 'http2MaxRequests', p, 'http2 max requests must be non-negative');
    nonNegative(errors, http, 'maxRequestsPerConnection', p, 'max requests per connection must be non-negative');
    nonNegative(errors, http, 'maxRetries', p, 'max retries must be non-negative');
    nonNegative(errors, http, 'maxConcurrentStreams', p, 'max concurrent streams must be non-negative');
    checkDurationField(errors, http['idleTimeout'], `${p}.idleTimeout`);
    const policy = enumField(errors, http['h2UpgradePolicy'], `${p}.h2UpgradePolicy`, H2_UPGRADE_POLICIES, 'h2UpgradePolicy');
    const useClientProtocol = booleanField(errors, http['useClientProtocol'], `${p}.useClientProtocol`);
    if (policy === 'UPGRADE' && useClientProtocol === true) {
      errors.add(`${p}.useClientProtocol`, 'use client protocol must not be true when H2UpgradePolicy is UPGRADE');
    }
    const keepAlive = objectField(errors, http['http2KeepAlive'], `${p}.http2KeepAlive`);
    if (keepAlive) {
      for (const field of ['interval', 'timeout']) {
        if (keepAlive[field] == null) errors.add(`${p}.http2KeepAlive.${field}`, `http2 keepalive ${field} is required`);
        else checkDurationField(errors, keepAlive[field], `${p}.http2KeepAlive.${field}`);
      }
    }
  }
  if (tcp) {
    const p = `${path}.tcp`;
    nonNegative(errors, tcp, 'maxConnections', p, 'max connections must be non-negative');
    checkDurationField(errors, tcp['connectTimeout'], `${p}.connectTimeout`);
    checkDurationField(errors, tcp['maxConnectionDuration'], `${p}.maxConnectionDuration`);
    // An idle timeout of 0s disables it, so it is not held to the 1ms minimum (Istio truncates to whole milliseconds first).
    const idle = stringField(errors, tcp['idleTimeout'], `${p}.idleTimeout`);
    const idleMs = idle === undefined ? undefined : parseDurationMs(idle);
    if (idle !== undefined && !(idleMs !== undefined && Math.abs(idleMs) < 1)) checkDurationField(errors, idle, `${p}.idleTimeout`);
    const keepalive = objectField(errors, tcp['tcpKeepalive'], `${p}.tcpKeepalive`);
    if (keepalive) {
      checkDurationField(errors, keepalive['time'], `${p}.tcpKeepalive.time`);
      checkDurationField(errors, keepalive['interval'], `${p}.tcpKeepalive.interval`);
      const probes = integerField(errors, keepalive['probes'], `${p}.tcpKeepalive.probes`);
      if (probes !== undefined && probes < 0) errors.add(`${p}.tcpKeepalive.probes`, 'must not be negative');
    }
  }
}

function nonNegative(errors: ErrorList, object: JsonObject, field: string, path: string, message: string): void {
  const value = integerField(errors, object[field], `${path}.${field}`);
  if (value !== undefined && value < 0) errors.add(`${path}.${field}`, message);
}

/** A protobuf duration field held to Istio's rules (at least 1ms, millisecond precision). */
export function checkDurationField(errors: ErrorList, value: JsonValue | undefined, path: string): void {
  const text = stringField(errors, value, path);
  if (text === undefined) return;
  const problem = durationProblem(text);
  if (problem) errors.add(path, problem);
}

/**
 * connectionPool → circuit breakers, connect timeout, TCP keepalive and
 * HTTP connection limits (Istio's applyConnectionPool and
 * applyTCPKeepalive). Istio applies it to every outbound cluster, with an
 * empty pool when the rule sets none, so the circuit breakers are always
 * there with its defaults: Envoy's own (1024 connections, 3 retries) trip
 * during pod churn before a new endpoint list arrives.
 */
import type { ConnectionPoolSettings, RetryBudget, TcpKeepaliveSettings } from '../../../../model/types.js';
import type { MeshClusterDefaults } from '../cluster-defaults.js';
import { parseGoDuration, type ProtoDuration } from '../../common/duration.js';
import { unwrapValue } from '../../common/wrapped-value.js';
import { httpOptions, type ClusterDraft } from './cluster-draft.js';

export const MAX_UINT32 = 4294967295;

/** Istio's getDefaultCircuitBreakerThresholds (trackRemaining on: PILOT_DISABLE_TRACK_REMAINING_METRICS is off by default). */
function defaultThresholds(): Record<string, unknown> {
  return {
    maxConnections: { value: MAX_UINT32 },
    maxPendingRequests: { value: MAX_UINT32 },
    maxRequests: { value: MAX_UINT32 },
    maxRetries: { value: MAX_UINT32 },
    trackRemaining: true,
  };
}

function duration(text: string | undefined): ProtoDuration | undefined {
  return text === undefined ? undefined : parseGoDuration(text);
}

/** Zero means "unset" to Istio here (its proto cannot tell them apart), so only positive values override. */
function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}

/**
 * Istio's applyTCPKeepalive: the mesh's tcpKeepalive first, then the
 * rule's, each field it sets replacing the mesh's. An empty message still
 * turns SO_KEEPALIVE on, with the OS defaults.
 */
function tcpKeepalive(meshKeepalive: TcpKeepaliveSettings | undefined, settings: ConnectionPoolSettings): Record<string, unknown> | undefined {
  const layers = [meshKeepalive, settings.tcp?.tcpKeepalive].filter((k): k is TcpKeepaliveSettings => k !== undefined);
  if (layers.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const keepalive of layers) {
    if (positive(keepalive.probes) !== undefined) out['keepaliveProbes'] = { value: keepalive.probes };
    const time = duration(keepalive.time);
    if (time) out['keepaliveTime'] = { value: time.seconds };
    const interval = duration(keepalive.interval);
    if (interval) out['keepaliveInterval'] = { value: interval.seconds };
  }
  return out;
}

/**
 * Istio's applyRetryBudget: 20% and 3 when unset. Its budgetInterval is
 * left out: the Envoy API tsiod builds against has no such field yet.
 */
function retryBudgetThreshold(budget: RetryBudget): Record<string, unknown> {
  const minRetryConcurrency = positive(budget.minRetryConcurrency) ?? 3;
  return { budgetPercent: { value: unwrapValue(budget.percent) ?? 20 }, minRetryConcurrency: { value: minRetryConcurrency } };
}

/** `mesh`: the mesh config's cluster defaults (its tcpKeepalive applies under the rule's). */
export function applyConnectionPool(draft: ClusterDraft, settings: ConnectionPoolSettings, retryBudget?: RetryBudget, mesh?: MeshClusterDefaults): void {
  const cluster = draft.cluster;
  const thresholds = defaultThresholds();
  if (retryBudget) thresholds['retryBudget'] = retryBudgetThreshold(retryBudget);
  const http = settings.http;
  const tcp = settings.tcp;
  if (positive(http?.http2MaxRequests) !== undefined) thresholds['maxRequests'] = { value: http?.http2MaxRequests };
  if (positive(http?.http1MaxPendingRequests) !== undefined) thresholds['maxPendingRequests'] = { value: http?.http1MaxPendingRequests };
  if (positive(http?.maxRetries) !== undefined) thresholds['maxRetries'] = { value: http?.maxRetries };
  if (positive(tcp?.maxConnections) !== undefined) thresholds['maxConnections'] = { value: tcp?.maxConnections };

  const connectTimeout = duration(tcp?.connectTimeout);
  if (connectTimeout) cluster['connectTimeout'] = connectTimeout;
  const keepalive = tcpKeepalive(mesh?.tcpKeepalive, settings);
  if (keepalive) cluster['upstreamConnectionOptions'] = { tcpKeepalive: keepalive };
  cluster['circuitBreakers'] = { thresholds: [thresholds] };

  // The HTTP idle timeout wins; the TCP one stands in for it when unset (Istio's order).
  const idleTimeout = duration(http?.idleTimeout) ?? duration(tcp?.idleTimeout);
  const maxRequestsPerConnection = positive(http?.maxRequestsPerConnection);
  const maxConnectionDuration = duration(tcp?.maxConnectionDuration);
  const maxConcurrentStreams = positive(http?.maxConcurrentStreams);
  const h2Keepalive = http?.http2KeepAlive;
  if (idleTimeout || maxRequestsPerConnection !== undefined || maxConnectionDuration || maxConcurrentStreams !== undefined || h2Keepalive) {
    const options = httpOptions(draft);
    const common: Record<string, unknown> = { ...options.common };
    if (idleTimeout) common['idleTimeout'] = idleTimeout;
    if (maxRequestsPerConnection !== undefined) common['maxRequestsPerConnection'] = { value: maxRequestsPerConnection };
    if (maxConnectionDuration) common['maxConnectionDuration'] = maxConnectionDuration;
    options.common = common;
    // Stream limits and HTTP/2 pings only mean something on an HTTP/2 upstream.
    if (options.upstream?.kind === 'http2') {
      const http2 = options.upstream.http2;
      if (maxConcurrentStreams !== undefined) http2['maxConcurrentStreams'] = { value: maxConcurrentStreams };
      if (h2Keepalive) {
        const interval = duration(h2Keepalive.interval);
        const timeout = duration(h2Keepalive.timeout);
        http2['connectionKeepalive'] = { ...(interval ? { interval } : {}), ...(timeout ? { timeout } : {}) };
      }
    }
  }
  if (http?.useClientProtocol) httpOptions(draft).upstream = { kind: 'downstream' };
}

/**
 * Istio's shouldH2Upgrade: useClientProtocol never upgrades; the rule's
 * UPGRADE or DO_NOT_UPGRADE decides; otherwise the mesh's h2UpgradePolicy
 * (default DO_NOT_UPGRADE), for ports declared HTTP only, so a port left
 * to protocol sniffing keeps the client's protocol.
 */
export function shouldH2Upgrade(settings: ConnectionPoolSettings, mesh?: MeshClusterDefaults, httpPort = false): boolean {
  const http = settings.http;
  if (http?.useClientProtocol) return false;
  if (http?.h2UpgradePolicy === 'UPGRADE') return true;
  if (http?.h2UpgradePolicy === 'DO_NOT_UPGRADE') return false;
  return httpPort && mesh?.h2UpgradePolicy === 'UPGRADE';
}

/**
 * Prometheus metrics for the xDS server, under istiod's metric names so that
 * existing dashboards (pilot_xds, pilot_xds_pushes, pilot_total_xds_rejects, ...)
 * keep working when tsiod replaces istiod.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { shortTypeName } from '../xds/proto/type-urls.js';
import type { XdsServerObserver } from '../xds/server/observer.js';

export function createXdsMetrics(registry: Registry, version: string): XdsServerObserver {
  const xdsClients = new Gauge({ name: 'pilot_xds', help: 'Number of endpoints connected to this pilot using XDS.', labelNames: ['version', 'protocol'], registers: [registry] });
  const pushes = new Counter({ name: 'pilot_xds_pushes', help: 'Pilot build and send errors for lds, rds, cds and eds.', labelNames: ['type'], registers: [registry] });
  const rejects = new Counter({ name: 'pilot_total_xds_rejects', help: 'Total number of XDS responses from pilot rejected by proxy.', labelNames: ['type'], registers: [registry] });
  const internalErrors = new Counter({ name: 'pilot_total_xds_internal_errors', help: 'Total number of internal XDS errors in pilot.', labelNames: ['type'], registers: [registry] });
  const configSize = new Histogram({
    name: 'pilot_xds_config_size_bytes', help: 'Distribution of configuration sizes pushed to clients', labelNames: ['type'],
    buckets: [1, 10_000, 1_000_000, 4_000_000, 10_000_000, 40_000_000], registers: [registry],
  });
  const pushTime = new Histogram({
    name: 'pilot_proxy_convergence_time', help: 'Delay in seconds between config change and a proxy receiving all required configuration.',
    labelNames: ['full'], buckets: [0.1, 0.5, 1, 3, 5, 10, 20, 30], registers: [registry],
  });
  const stale = new Counter({ name: 'tsiod_xds_stale_nonce_total', help: 'Requests ignored or not counted as ACK because their nonce was not the latest.', labelNames: ['type'], registers: [registry] });
  const acks = new Counter({ name: 'tsiod_xds_acks_total', help: 'Responses acknowledged by proxies.', labelNames: ['type'], registers: [registry] });
  // pilot_xds is a gauge: a reconnect storm (every proxy dropping and coming back) leaves it unchanged.
  const connections = new Counter({ name: 'tsiod_xds_connections_total', help: 'xDS streams that identified themselves, since start.', labelNames: ['protocol'], registers: [registry] });
  const rejectedStreams = new Counter({ name: 'tsiod_xds_streams_rejected_total', help: 'Streams closed because the client broke the protocol.', registers: [registry] });
  const invalidResources = new Counter({
    name: 'tsiod_xds_invalid_resources_total',
    help: 'Generated resources not sent because they break a validation rule of Envoy\'s protos (a tsiod bug).',
    labelNames: ['type'], registers: [registry],
  });
  const sendStalls = new Counter({
    name: 'tsiod_xds_send_stalls_total',
    help: 'Responses whose bytes had not left after the send budget stall time (their client was not reading); they stopped counting against the budget.',
    registers: [registry],
  });
  const removed = new Counter({ name: 'tsiod_xds_removed_resources_total', help: 'Names sent in Delta removed_resources.', labelNames: ['type'], registers: [registry] });

  return {
    connected: (_proxy, protocol) => {
      xdsClients.inc({ version, protocol });
      connections.inc({ protocol });
    },
    disconnected: (_proxy, protocol) => xdsClients.dec({ version, protocol }),
    responseSent: (typeUrl, bytes, _resources, removedCount) => {
      const type = shortTypeName(typeUrl);
      pushes.inc({ type });
      configSize.observe({ type }, bytes);
      if (removedCount > 0) removed.inc({ type }, removedCount);
    },
    acked: (_proxy, typeUrl) => acks.inc({ type: shortTypeName(typeUrl) }),
    nacked: (_proxy, typeUrl) => rejects.inc({ type: shortTypeName(typeUrl) }),
    staleNonce: (_proxy, typeUrl) => stale.inc({ type: shortTypeName(typeUrl) }),
    pushCompleted: (full, seconds) => pushTime.observe({ full: String(full) }, seconds),
    internalError: (typeUrl) => internalErrors.inc({ type: shortTypeName(typeUrl) }),
    invalidResource: (typeUrl) => invalidResources.inc({ type: shortTypeName(typeUrl) }),
    streamRejected: () => rejectedStreams.inc(),
    sendStalled: () => sendStalls.inc(),
  };
}

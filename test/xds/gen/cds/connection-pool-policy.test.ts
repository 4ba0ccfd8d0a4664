/** connectionPool → circuit breakers, timeouts and HTTP options, as Istio's applyConnectionPool writes them. */
import { describe, expect, it } from 'vitest';
import type { ConnectionPoolSettings } from '../../../../src/model/types.js';
import { HTTP_PROTOCOL_OPTIONS_KEY, HTTP_PROTOCOL_OPTIONS_TYPE } from '../../../../src/xds/gen/common/type-names.js';
import { clusterOf, policyMesh, REVIEWS } from './helpers/policy-mesh.js';

const UNLIMITED = { value: 4294967295 };
const cluster = (connectionPool: ConnectionPoolSettings, name = `outbound|9080||${REVIEWS}`): Record<string, unknown> => clusterOf(policyMesh({ connectionPool }), name);
const httpOptions = (c: Record<string, unknown>): Record<string, unknown> | undefined =>
  (c['typedExtensionProtocolOptions'] as Record<string, Record<string, unknown>> | undefined)?.[HTTP_PROTOCOL_OPTIONS_KEY];

describe('connectionPool', () => {
  it('maps the limits onto one circuit breaker threshold, leaving the rest at MaxUint32', () => {
    expect(cluster({ tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 10, http2MaxRequests: 1000, maxRetries: 5 } })['circuitBreakers']).toEqual({
      thresholds: [{ maxConnections: { value: 100 }, maxPendingRequests: { value: 10 }, maxRequests: { value: 1000 }, maxRetries: { value: 5 }, trackRemaining: true }],
    });
    expect(cluster({ http: { http2MaxRequests: 50 } })['circuitBreakers']).toEqual({
      thresholds: [{ maxConnections: UNLIMITED, maxPendingRequests: UNLIMITED, maxRequests: { value: 50 }, maxRetries: UNLIMITED, trackRemaining: true }],
    });
  });

  it('tcp.connectTimeout replaces the mesh default of 10s', () => {
    expect(cluster({ tcp: { connectTimeout: '250ms' } })['connectTimeout']).toEqual({ seconds: 0, nanos: 250_000_000 });
    expect(cluster({ tcp: { maxConnections: 1 } })['connectTimeout']).toEqual({ seconds: 10 });
  });

  it('tcpKeepalive becomes upstreamConnectionOptions.tcpKeepalive in whole seconds', () => {
    expect(cluster({ tcp: { tcpKeepalive: { probes: 3, time: '7200s', interval: '75s' } } })['upstreamConnectionOptions']).toEqual({
      tcpKeepalive: { keepaliveProbes: { value: 3 }, keepaliveTime: { value: 7200 }, keepaliveInterval: { value: 75 } },
    });
    expect(cluster({ tcp: { tcpKeepalive: {} } })['upstreamConnectionOptions']).toEqual({ tcpKeepalive: {} });
  });

  it('http idleTimeout and maxRequestsPerConnection go to commonHttpProtocolOptions, with explicit HTTP/1.1 upstream', () => {
    expect(httpOptions(cluster({ http: { idleTimeout: '30s', maxRequestsPerConnection: 1 } }))).toEqual({
      '@type': HTTP_PROTOCOL_OPTIONS_TYPE,
      commonHttpProtocolOptions: { idleTimeout: { seconds: 30 }, maxRequestsPerConnection: { value: 1 } },
      explicitHttpConfig: { httpProtocolOptions: {} },
    });
  });

  it('the tcp idleTimeout stands in when http sets none, and maxConnectionDuration joins it', () => {
    expect(httpOptions(cluster({ tcp: { idleTimeout: '1h', maxConnectionDuration: '10m' } }))?.['commonHttpProtocolOptions']).toEqual({
      idleTimeout: { seconds: 3600 },
      maxConnectionDuration: { seconds: 600 },
    });
  });

  it('HTTP/2 settings land in the HTTP/2 options of a gRPC port', () => {
    const options = httpOptions(cluster({ http: { maxConcurrentStreams: 100, http2KeepAlive: { interval: '10s', timeout: '3s' } } }, `outbound|7070||${REVIEWS}`));
    expect(options?.['explicitHttpConfig']).toEqual({
      http2ProtocolOptions: { maxConcurrentStreams: { value: 100 }, connectionKeepalive: { interval: { seconds: 10 }, timeout: { seconds: 3 } } },
    });
  });

  it('h2UpgradePolicy UPGRADE upgrades an HTTP/1.1 port; DO_NOT_UPGRADE leaves it', () => {
    expect(httpOptions(cluster({ http: { h2UpgradePolicy: 'UPGRADE' } }))?.['explicitHttpConfig']).toEqual({ http2ProtocolOptions: {} });
    expect(cluster({ http: { h2UpgradePolicy: 'DO_NOT_UPGRADE' } })).not.toHaveProperty('typedExtensionProtocolOptions');
  });

  it('a retryBudget joins the threshold, 20% and 3 concurrent retries unless set (applyRetryBudget)', () => {
    const thresholds = (c: Record<string, unknown>): Record<string, unknown> | undefined => (c['circuitBreakers'] as { thresholds: Record<string, unknown>[] }).thresholds[0];
    expect(thresholds(clusterOf(policyMesh({ retryBudget: {} }), `outbound|9080||${REVIEWS}`))?.['retryBudget']).toEqual({ budgetPercent: { value: 20 }, minRetryConcurrency: { value: 3 } });
    expect(thresholds(clusterOf(policyMesh({ retryBudget: { percent: { value: 12.5 }, minRetryConcurrency: 8 } }), `outbound|9080||${REVIEWS}`))?.['retryBudget']).toEqual({
      budgetPercent: { value: 12.5 },
      minRetryConcurrency: { value: 8 },
    });
    expect(thresholds(cluster({ tcp: { maxConnections: 1 } }))).not.toHaveProperty('retryBudget');
  });

  it('useClientProtocol uses the downstream protocol, even on a gRPC port', () => {
    expect(httpOptions(cluster({ http: { useClientProtocol: true } }, `outbound|7070||${REVIEWS}`))).toEqual({
      '@type': HTTP_PROTOCOL_OPTIONS_TYPE,
      useDownstreamProtocolConfig: { httpProtocolOptions: {}, http2ProtocolOptions: {} },
    });
  });
});

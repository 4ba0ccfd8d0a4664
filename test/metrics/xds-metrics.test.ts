import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createXdsMetrics } from '../../src/metrics/xds-metrics.js';
import { parseProxyNode } from '../../src/model/proxy.js';

async function sample(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))?.value;
}

describe('xDS connection metrics', () => {
  it('counts every identified stream in tsiod_xds_connections_total, while pilot_xds gauges the ones open', async () => {
    const registry = new Registry();
    const observer = createXdsMetrics(registry, '0.1.0');
    const proxy = parseProxyNode({ id: 'sidecar~10.0.0.1~reviews-v1-abc.default~default.svc.cluster.local' }, 'cluster.local');

    // A reconnect: the gauge ends where it started, the counter shows two streams.
    observer.connected(proxy, 'sotw');
    observer.disconnected(proxy, 'sotw');
    observer.connected(proxy, 'sotw');
    observer.connected(proxy, 'delta');

    expect(await sample(registry, 'pilot_xds', { protocol: 'sotw' })).toBe(1);
    expect(await sample(registry, 'tsiod_xds_connections_total', { protocol: 'sotw' })).toBe(2);
    expect(await sample(registry, 'tsiod_xds_connections_total', { protocol: 'delta' })).toBe(1);
  });

  it('counts responses whose client stopped reading in tsiod_xds_send_stalls_total', async () => {
    const registry = new Registry();
    const observer = createXdsMetrics(registry, '0.1.0');
    observer.sendStalled(2_000_000);
    observer.sendStalled(10);
    expect(await sample(registry, 'tsiod_xds_send_stalls_total', {})).toBe(2);
  });
});

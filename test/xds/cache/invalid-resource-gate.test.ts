/**
 * The gate end to end: a real XdsServer on 127.0.0.1:0, a standard ADS
 * client, and istiod-named prom-client metrics. An invalid cluster is never
 * on the wire; the proxy keeps receiving its last good version.
 */
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createXdsMetrics } from '../../../src/metrics/xds-metrics.js';
import { fullPush } from '../../../src/push/push-request.js';
import { typeForUrl } from '../../../src/xds/proto/envoy-protos.js';
import { ClusterType } from '../../../src/xds/proto/type-urls.js';
import { XdsServer } from '../../../src/xds/server/xds-server.js';
import { AdsTestClient, sidecarNode, type SotwResponse } from '../server/support/ads-test-client.js';
import { fixtureSnapshot } from '../server/support/fixture-mesh.js';
import { scriptedClusters, type ClusterScript } from './support/scripted-clusters.js';

interface Gate {
  client: AdsTestClient;
  registry: Registry;
  push(next: ClusterScript): Promise<void>;
  close(): Promise<void>;
}

let gate: Gate | undefined;
afterEach(async () => gate?.close());

async function startGate(initial: ClusterScript): Promise<Gate> {
  let script = initial;
  const registry = new Registry();
  const server = new XdsServer({ generators: scriptedClusters(() => script), logger: pino({ level: 'silent' }), observer: createXdsMetrics(registry, 'test') });
  await server.push(fixtureSnapshot({}), fullPush('initial'));
  const client = new AdsTestClient(await server.listen('127.0.0.1', 0));
  return {
    client, registry,
    push: (next) => { script = next; return server.push(fixtureSnapshot({}), fullPush('config')); },
    close: async () => { client.close(); await server.close(); },
  };
}

/** Cluster name → connect timeout seconds, as decoded from a SotW response. */
function timeouts(r: SotwResponse): Record<string, number> {
  const type = typeForUrl(ClusterType);
  return Object.fromEntries(r.resources.map((any) => {
    const c = type.toObject(type.decode(any.value), { longs: Number }) as { name: string; connectTimeout?: { seconds?: number } };
    return [c.name, c.connectTimeout?.seconds ?? 0];
  }));
}

async function invalidCount(registry: Registry): Promise<number> {
  const metric = await registry.getSingleMetric('tsiod_xds_invalid_resources_total')!.get();
  return metric.values.filter((v) => v.labels['type'] === 'cds').reduce((n, v) => n + v.value, 0);
}

describe('invalid resource gate (SotW and Delta)', () => {
  it('sends the valid clusters, withholds the invalid one, counts it, and keeps serving its last good version', async () => {
    gate = await startGate({ a: 1, b: 0, c: 3 });
    const s = gate.client.sotw();
    s.send({ node: sidecarNode(), type_url: ClusterType });
    const r1 = await s.next();
    expect(timeouts(r1)).toEqual({ a: 1, c: 3 });
    expect(await invalidCount(gate.registry)).toBe(1);

    s.send({ type_url: ClusterType, version_info: r1.version_info, response_nonce: r1.nonce });
    expect(await s.quiet(100)).toBe(true);
    await gate.push({ a: 1, b: 2, c: 3 });
    const r2 = await s.next();
    expect(timeouts(r2)).toEqual({ a: 1, b: 2, c: 3 });

    s.send({ type_url: ClusterType, version_info: r2.version_info, response_nonce: r2.nonce });
    expect(await s.quiet(100)).toBe(true);
    // b turns invalid while c changes: the complete set still carries b, at its last good version.
    await gate.push({ a: 1, b: 0, c: 4 });
    const r3 = await s.next();
    expect(timeouts(r3)).toEqual({ a: 1, b: 2, c: 4 });
    expect(await invalidCount(gate.registry)).toBe(2);
  });

  it('Delta: an invalid update is neither sent nor reported as a removal', async () => {
    gate = await startGate({ a: 1, b: 2 });
    const d = gate.client.delta();
    d.send({ node: sidecarNode(), type_url: ClusterType, resource_names_subscribe: ['*'] });
    const r1 = await d.next();
    expect(r1.resources.map((r) => r.name).sort()).toEqual(['a', 'b']);
    d.send({ type_url: ClusterType, response_nonce: r1.nonce });
    expect(await d.quiet(100)).toBe(true);

    await gate.push({ a: 5, b: 0 });
    const r2 = await d.next();
    expect(r2.resources.map((r) => r.name)).toEqual(['a']);
    expect(r2.removed_resources).toEqual([]);
    expect(await invalidCount(gate.registry)).toBe(1);
  });
});

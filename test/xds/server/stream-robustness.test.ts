import { afterEach, describe, expect, it } from 'vitest';
import { ClusterType } from '../../../src/xds/proto/type-urls.js';
import { resourceName, sidecarNode } from './support/ads-test-client.js';
import { clusterName } from './support/fixture-mesh.js';
import { startFixtureServer, type FixtureServer } from './support/fixture-server.js';

const A = 'a.default.svc.cluster.local';
let fx: FixtureServer;
afterEach(async () => fx?.close());

describe('a misbehaving client', () => {
  it('that sends bytes that are not a DiscoveryRequest loses its stream; other proxies are still served', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'] });
    const good = fx.client.sotw();
    good.send({ node: sidecarNode(), type_url: ClusterType });
    await good.next();
    const bad = fx.client.rawStream();
    bad.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x34]));
    const err = await bad.responses.closed(5_000);
    expect(err?.code).toBeDefined();
    expect(err!.code).not.toBe(0);
    const other = fx.client.sotw();
    other.send({ node: sidecarNode('sidecar~127.0.0.2~b-1.default~default.svc.cluster.local'), type_url: ClusterType });
    expect((await other.next()).resources.map(resourceName)).toEqual([clusterName(A)]);
  });

  it('whose first request has no node is refused with INVALID_ARGUMENT', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'] });
    const s = fx.client.sotw();
    s.send({ type_url: ClusterType });
    const err = await s.responses.closed(5_000);
    expect(err?.code).toBe(3);
    expect(err?.details).toMatch(/node\.id/);
    expect(fx.events.rejectedStreams).toHaveLength(1);
  });

  it('with a node id of an unknown proxy type is refused and named', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'] });
    const s = fx.client.sotw();
    s.send({ node: sidecarNode('waypoint~1.2.3.4~x.ns~ns.svc.cluster.local'), type_url: ClusterType });
    const err = await s.responses.closed(5_000);
    expect(err?.code).toBe(3);
    expect(err?.details).toMatch(/waypoint/);
  });

  it('that disconnects mid-stream is forgotten', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'] });
    const s = fx.client.sotw();
    s.send({ node: sidecarNode(), type_url: ClusterType });
    await s.next();
    expect(fx.server.connectionCount).toBe(1);
    s.cancel();
    for (let i = 0; i < 50 && fx.server.connectionCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(fx.server.connectionCount).toBe(0);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { ClusterType, EndpointType, ListenerType } from '../../../src/xds/proto/type-urls.js';
import { sidecarNode, type DeltaResponse } from './support/ads-test-client.js';
import { clusterName } from './support/fixture-mesh.js';
import { startFixtureServer, type FixtureServer } from './support/fixture-server.js';

const A = 'a.default.svc.cluster.local';
const B = 'b.default.svc.cluster.local';
const C = 'c.default.svc.cluster.local';
const names = (r: DeltaResponse): string[] => r.resources.map((x) => x.name).sort();
const versions = (r: DeltaResponse): Record<string, string> => Object.fromEntries(r.resources.map((x) => [x.name, x.version]));

let fx: FixtureServer;
afterEach(async () => fx?.close());

describe('Delta ADS', () => {
  it('treats a first CDS request without names as wildcard and versions each resource', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'], [B]: ['127.0.0.2'] });
    const s = fx.client.delta();
    s.send({ node: sidecarNode(), type_url: ClusterType });
    const r = await s.next();
    expect(names(r)).toEqual([clusterName(A), clusterName(B)]);
    for (const res of r.resources) expect(res.version).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(r.removed_resources).toEqual([]);
  });

  it('sends only what changed, and deletions as removed_resources', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'], [B]: ['127.0.0.2'] });
    const s = fx.client.delta();
    s.send({ node: sidecarNode(), type_url: ClusterType });
    const r1 = await s.next();
    s.send({ type_url: ClusterType, response_nonce: r1.nonce });
    expect(await s.quiet(100)).toBe(true);
    await fx.setMesh({ [B]: ['127.0.0.2'], [C]: ['127.0.0.3'] });
    const added = await s.next();
    expect(names(added)).toEqual([clusterName(C)]); // B is unchanged: not re-sent
    expect(added.removed_resources).toEqual([]);
    const removal = await s.next(); // removals come after additions (make before break)
    expect(removal.resources).toEqual([]);
    expect(removal.removed_resources).toEqual([clusterName(A)]);
  });

  it('reports subscribed names that do not exist in removed_resources, once', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'] });
    const s = fx.client.delta();
    s.send({ node: sidecarNode(), type_url: EndpointType, resource_names_subscribe: [clusterName(A), 'outbound|80||nope.default.svc.cluster.local'] });
    const r = await s.next();
    expect(names(r)).toEqual([clusterName(A)]);
    expect(r.removed_resources).toEqual(['outbound|80||nope.default.svc.cluster.local']);
    s.send({ type_url: EndpointType, response_nonce: r.nonce });
    await fx.setMesh({ [A]: ['127.0.0.1'] });
    expect(await s.quiet()).toBe(true);
    // When it comes to exist, it is sent.
    await fx.setMesh({ [A]: ['127.0.0.1'], 'nope.default.svc.cluster.local': ['127.0.0.4'] });
    expect(names(await s.next())).toEqual(['outbound|80||nope.default.svc.cluster.local']);
  });

  it('on reconnect sends only resources whose initial_resource_versions differ, and removes deleted ones', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'], [B]: ['127.0.0.2'] });
    const s1 = fx.client.delta();
    s1.send({ node: sidecarNode(), type_url: ClusterType });
    const held = versions(await s1.next());
    s1.cancel();
    await fx.setMesh({ [A]: ['127.0.0.1'], [C]: ['127.0.0.3'] });
    const s2 = fx.client.delta();
    s2.send({ node: sidecarNode(), type_url: ClusterType, initial_resource_versions: held });
    const r = await s2.next();
    expect(names(r)).toEqual([clusterName(C)]);
    expect(r.removed_resources).toEqual([clusterName(B)]);
  });

  it('sends nothing on reconnect when the proxy already holds every current version', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'] });
    const s1 = fx.client.delta();
    s1.send({ node: sidecarNode(), type_url: ClusterType });
    const held = versions(await s1.next());
    s1.cancel();
    const s2 = fx.client.delta();
    s2.send({ node: sidecarNode(), type_url: ClusterType, initial_resource_versions: held });
    expect(await s2.quiet()).toBe(true);
  });

  it('honours subscription changes on a request with a stale nonce, but does not count it as an ACK', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'], [B]: ['127.0.0.2'] });
    const s = fx.client.delta();
    s.send({ node: sidecarNode(), type_url: EndpointType, resource_names_subscribe: [clusterName(A)] });
    const r1 = await s.next();
    await fx.setEndpoints({ [A]: ['127.0.0.8'], [B]: ['127.0.0.2'] }, [A]);
    const r2 = await s.next();
    s.send({ type_url: EndpointType, response_nonce: r1.nonce, resource_names_subscribe: [clusterName(B)] });
    const r3 = await s.next();
    expect(names(r3)).toEqual([clusterName(B)]);
    expect(fx.events.staleNonces).toBe(1);
    expect(fx.server.syncStatus()[0]!.types[0]!.ackedVersion).toBe('');
    void r2;
  });

  it('unsubscribing stops updates for that name', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'], [B]: ['127.0.0.2'] });
    const s = fx.client.delta();
    s.send({ node: sidecarNode(), type_url: EndpointType, resource_names_subscribe: [clusterName(A), clusterName(B)] });
    const r1 = await s.next();
    s.send({ type_url: EndpointType, response_nonce: r1.nonce, resource_names_unsubscribe: [clusterName(A)] });
    expect(await s.quiet(100)).toBe(true);
    await fx.setEndpoints({ [A]: ['127.0.0.9'], [B]: ['127.0.0.2'] }, [A]);
    expect(await s.quiet()).toBe(true);
    await fx.setEndpoints({ [A]: ['127.0.0.9'], [B]: ['127.0.0.6'] }, [B]);
    expect(names(await s.next())).toEqual([clusterName(B)]);
  });

  it('records a NACK and keeps serving', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'] });
    const s = fx.client.delta();
    s.send({ node: sidecarNode(), type_url: ListenerType });
    const r = await s.next();
    s.send({ type_url: ListenerType, response_nonce: r.nonce, error_detail: { code: 3, message: 'listener 0.0.0.0_80: bad' } });
    expect(await s.quiet()).toBe(true);
    expect(fx.events.nacks).toEqual(['listener 0.0.0.0_80: bad']);
    expect(fx.server.syncStatus()[0]!.types[0]!.lastNack?.message).toBe('listener 0.0.0.0_80: bad');
  });
});

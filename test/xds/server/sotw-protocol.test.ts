import { afterEach, describe, expect, it } from 'vitest';
import { ClusterType, EndpointType, ListenerType, RouteType } from '../../../src/xds/proto/type-urls.js';
import { resourceName, sidecarNode, type SotwResponse } from './support/ads-test-client.js';
import { clusterName } from './support/fixture-mesh.js';
import { startFixtureServer, type FixtureServer } from './support/fixture-server.js';

const A = 'a.default.svc.cluster.local';
const B = 'b.default.svc.cluster.local';
const C = 'c.default.svc.cluster.local';
const names = (r: SotwResponse): string[] => r.resources.map(resourceName).sort();

let fx: FixtureServer;
afterEach(async () => fx?.close());

describe('SotW ADS', () => {
  it('answers a first CDS request without names (legacy wildcard) with every cluster', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'], [B]: ['127.0.0.2'] });
    const s = fx.client.sotw();
    s.send({ node: sidecarNode(), type_url: ClusterType });
    const r = await s.next();
    expect(r.type_url).toBe(ClusterType);
    expect(r.nonce).not.toBe('');
    expect(r.version_info).not.toBe('');
    expect(names(r)).toEqual([clusterName(A), clusterName(B)]);
    expect(JSON.parse(r.control_plane!.identifier).Component).toBe('tsiod');
  });

  it('sends nothing after an ACK until something changes, and never re-sends an identical set', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'] });
    const s = fx.client.sotw();
    s.send({ node: sidecarNode(), type_url: ClusterType });
    const r = await s.next();
    s.send({ type_url: ClusterType, version_info: r.version_info, response_nonce: r.nonce });
    expect(await s.quiet()).toBe(true);
    await fx.setMesh({ [A]: ['127.0.0.1'] }); // a full push that changes nothing
    expect(await s.quiet()).toBe(true);
    expect(fx.server.syncStatus()[0]!.types[0]!.ackedVersion).toBe(r.version_info);
  });

  it('sends the complete CDS set on change, dropping deleted clusters', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'], [B]: ['127.0.0.2'] });
    const s = fx.client.sotw();
    s.send({ node: sidecarNode(), type_url: ClusterType });
    const r1 = await s.next();
    s.send({ type_url: ClusterType, version_info: r1.version_info, response_nonce: r1.nonce });
    await fx.setMesh({ [B]: ['127.0.0.2'], [C]: ['127.0.0.3'] });
    const r2 = await s.next();
    expect(names(r2)).toEqual([clusterName(B), clusterName(C)]);
    expect(r2.version_info).not.toBe(r1.version_info);
    expect(r2.nonce).not.toBe(r1.nonce);
  });

  it('records a NACK with its error, keeps the last good version and does not resend', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'] });
    const s = fx.client.sotw();
    s.send({ node: sidecarNode(), type_url: ClusterType });
    const r1 = await s.next();
    s.send({ type_url: ClusterType, version_info: r1.version_info, response_nonce: r1.nonce });
    expect(await s.quiet(100)).toBe(true); // lets the ACK land before the push, else it is (rightly) stale
    await fx.setMesh({ [A]: ['127.0.0.1'], [B]: ['127.0.0.2'] });
    const r2 = await s.next();
    s.send({ type_url: ClusterType, version_info: r1.version_info, response_nonce: r2.nonce, error_detail: { code: 3, message: 'cluster b: bad config' } });
    expect(await s.quiet()).toBe(true);
    expect(fx.events.nacks).toEqual(['cluster b: bad config']);
    const state = fx.server.syncStatus()[0]!.types[0]!;
    expect(state.lastNack?.message).toBe('cluster b: bad config');
    expect(state.ackedVersion).toBe(r1.version_info);
    // A later fix is sent as usual.
    await fx.setMesh({ [A]: ['127.0.0.1'] });
    const r3 = await s.next();
    expect(names(r3)).toEqual([clusterName(A)]);
  });

  it('ignores a request with a stale nonce, even one that changes subscriptions', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'], [B]: ['127.0.0.2'] });
    const s = fx.client.sotw();
    s.send({ node: sidecarNode(), type_url: EndpointType, resource_names: [clusterName(A)] });
    const r1 = await s.next();
    await fx.setEndpoints({ [A]: ['127.0.0.9'], [B]: ['127.0.0.2'] }, [A]);
    const r2 = await s.next();
    expect(r2.nonce).not.toBe(r1.nonce);
    s.send({ type_url: EndpointType, version_info: r1.version_info, response_nonce: r1.nonce, resource_names: [clusterName(A), clusterName(B)] });
    expect(await s.quiet()).toBe(true);
    expect(fx.events.staleNonces).toBe(1);
    // The same subscription with the current nonce is honoured.
    s.send({ type_url: EndpointType, version_info: r2.version_info, response_nonce: r2.nonce, resource_names: [clusterName(A), clusterName(B)] });
    expect(names(await s.next())).toEqual([clusterName(B)]);
  });

  it('subscribes and unsubscribes EDS names, sending newly subscribed names even if unchanged', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'], [B]: ['127.0.0.2'] });
    const s = fx.client.sotw();
    s.send({ node: sidecarNode(), type_url: EndpointType, resource_names: [clusterName(A)] });
    const r1 = await s.next();
    expect(names(r1)).toEqual([clusterName(A)]);
    s.send({ type_url: EndpointType, version_info: r1.version_info, response_nonce: r1.nonce, resource_names: [clusterName(A), clusterName(B)] });
    const r2 = await s.next();
    expect(names(r2)).toEqual([clusterName(B)]); // partial: only the new name
    s.send({ type_url: EndpointType, version_info: r2.version_info, response_nonce: r2.nonce, resource_names: [clusterName(B)] });
    expect(await s.quiet()).toBe(true); // unsubscribing needs no answer
    // A's endpoints change while unsubscribed: nothing is sent.
    await fx.setEndpoints({ [A]: ['127.0.0.7'], [B]: ['127.0.0.2'] }, [A]);
    expect(await s.quiet()).toBe(true);
    s.send({ type_url: EndpointType, version_info: r2.version_info, response_nonce: r2.nonce, resource_names: [clusterName(A), clusterName(B)] });
    const r3 = await s.next();
    expect(names(r3)).toEqual([clusterName(A)]);
  });

  it('pushes an endpoint-only change as EDS for the affected cluster and nothing else', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'], [B]: ['127.0.0.2'] });
    const s = fx.client.sotw();
    s.send({ node: sidecarNode(), type_url: ClusterType });
    const cds = await s.next();
    s.send({ type_url: ClusterType, version_info: cds.version_info, response_nonce: cds.nonce });
    s.send({ type_url: EndpointType, resource_names: [clusterName(A), clusterName(B)] });
    const eds = await s.next();
    s.send({ type_url: EndpointType, version_info: eds.version_info, response_nonce: eds.nonce, resource_names: [clusterName(A), clusterName(B)] });
    s.send({ type_url: ListenerType });
    const lds = await s.next();
    s.send({ type_url: ListenerType, version_info: lds.version_info, response_nonce: lds.nonce });
    expect(await s.quiet()).toBe(true);
    await fx.setEndpoints({ [A]: ['127.0.0.1', '127.0.0.5'], [B]: ['127.0.0.2'] }, [A]);
    const push = await s.next();
    expect(push.type_url).toBe(EndpointType);
    expect(names(push)).toEqual([clusterName(A)]);
    expect(await s.quiet()).toBe(true);
  });

  it('orders a full push CDS, EDS, LDS, RDS (make before break)', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'] });
    const s = fx.client.sotw();
    const ack = (r: SotwResponse, resource_names?: string[]) => s.send({ type_url: r.type_url, version_info: r.version_info, response_nonce: r.nonce, resource_names });
    s.send({ node: sidecarNode(), type_url: ClusterType });
    ack(await s.next());
    s.send({ type_url: EndpointType, resource_names: [clusterName(A), clusterName(B)] });
    ack(await s.next(), [clusterName(A), clusterName(B)]);
    s.send({ type_url: ListenerType });
    ack(await s.next());
    s.send({ type_url: RouteType, resource_names: ['80'] });
    ack(await s.next(), ['80']);
    await fx.setMesh({ [A]: ['127.0.0.1'], [B]: ['127.0.0.2'] });
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await s.next()).type_url);
    // LDS is unchanged (same listener), so it is not re-sent.
    expect(order).toEqual([ClusterType, EndpointType, RouteType]);
  });

  it('sends nothing to a reconnecting proxy whose version_info matches the current content', async () => {
    fx = await startFixtureServer({ [A]: ['127.0.0.1'] });
    const s1 = fx.client.sotw();
    s1.send({ node: sidecarNode(), type_url: ClusterType });
    const r = await s1.next();
    s1.cancel();
    // Same content on a restarted server gives the same version: content hashes, not counters.
    const again = await startFixtureServer({ [A]: ['127.0.0.1'] });
    try {
      const s2 = again.client.sotw();
      s2.send({ node: sidecarNode(), type_url: ClusterType, version_info: r.version_info });
      expect(await s2.quiet()).toBe(true);
      const s3 = again.client.sotw();
      s3.send({ node: sidecarNode(), type_url: ClusterType, version_info: 'some-older-version' });
      expect(names(await s3.next())).toEqual([clusterName(A)]);
    } finally {
      await again.close();
    }
  });

  it('carries 1,000 clusters in one response', async () => {
    const shape: Record<string, string[]> = {};
    for (let i = 0; i < 1000; i++) shape[`svc-${i}.ns.svc.cluster.local`] = [`127.0.${i >> 8}.${i & 255}`];
    fx = await startFixtureServer(shape);
    const s = fx.client.sotw();
    s.send({ node: sidecarNode(), type_url: ClusterType });
    const r = await s.next();
    expect(r.resources).toHaveLength(1000);
    expect(new Set(r.resources.map(resourceName)).size).toBe(1000);
  });
});

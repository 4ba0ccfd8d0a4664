/**
 * The whole pipeline — directory source, validation, snapshot, generators,
 * cache, ADS — through a real gRPC server on 127.0.0.1, driven by a raw ADS
 * client acting as a Bookinfo sidecar.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClusterType, EndpointType, ListenerType, RouteType } from '../../src/xds/proto/type-urls.js';
import { typeForUrl } from '../../src/xds/proto/envoy-protos.js';
import { startTsiodUnderTest, type TsiodUnderTest, plaintextXdsPort } from '../helpers/tsiod-under-test.js';
import { AdsTestClient, resourceName, sidecarNode, type SotwResponse } from '../xds/server/support/ads-test-client.js';

const REVIEWS_V1 = 'outbound|9080|v1|reviews.default.svc.cluster.local';
const REVIEWS_V3 = 'outbound|9080|v3|reviews.default.svc.cluster.local';

let dir: string;
let t: TsiodUnderTest;
let client: AdsTestClient;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tsiod-bookinfo-'));
  await fs.cp('examples/bookinfo', dir, { recursive: true });
});
afterEach(async () => {
  client?.close();
  await t?.tsiod.close();
  await fs.rm(dir, { recursive: true, force: true });
});

async function start(): Promise<void> {
  t = await startTsiodUnderTest(dir);
  client = new AdsTestClient(plaintextXdsPort(t.tsiod));
}

const decode = (r: SotwResponse) => r.resources.map((a) => typeForUrl(a.type_url).toObject(typeForUrl(a.type_url).decode(a.value), { enums: String, longs: Number }) as Record<string, unknown>);

/** Writes like an editor that saves through a temporary file and a rename. */
async function saveFile(file: string, text: string): Promise<void> {
  const tmp = path.join(dir, `.${path.basename(file)}.swp`);
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, path.join(dir, file));
}

describe('tsiod serve on examples/bookinfo', () => {
  it('serves the reviews subsets as clusters and the 60/30/10 split as weighted routes', async () => {
    await start();
    const s = client.sotw();
    s.send({ node: sidecarNode('sidecar~127.0.0.1~productpage-v1.default~default.svc.cluster.local'), type_url: ClusterType });
    const clusters = (await s.next()).resources.map(resourceName);
    expect(clusters).toEqual(expect.arrayContaining(['outbound|9080||reviews.default.svc.cluster.local', REVIEWS_V1, REVIEWS_V3, 'PassthroughCluster', 'BlackHoleCluster']));
    s.send({ type_url: RouteType, resource_names: ['9080'] });
    const [route] = decode(await s.next()) as Array<{ virtualHosts: Array<{ name: string; routes: Array<{ route: { weightedClusters?: { clusters: Array<{ name: string; weight: { value: number } }> } } }> }> }>;
    const reviews = route!.virtualHosts.find((v) => v.name === 'reviews.default.svc.cluster.local:9080')!;
    expect(reviews.routes[0]!.route.weightedClusters!.clusters.map((c) => [c.name.split('|')[2], c.weight.value])).toEqual([['v1', 60], ['v2', 30], ['v3', 10]]);
  });

  it('turns an edit of one EndpointSlice into an EDS push for that cluster only', async () => {
    await start();
    const s = client.sotw();
    const ack = (r: SotwResponse, names?: string[]) => s.send({ type_url: r.type_url, version_info: r.version_info, response_nonce: r.nonce, resource_names: names });
    s.send({ node: sidecarNode(), type_url: ClusterType });
    ack(await s.next());
    const edsNames = [REVIEWS_V1, REVIEWS_V3, 'outbound|9080||ratings.default.svc.cluster.local'];
    s.send({ type_url: EndpointType, resource_names: edsNames });
    ack(await s.next(), edsNames);
    s.send({ type_url: ListenerType });
    ack(await s.next());
    expect(await s.quiet(300)).toBe(true);

    const reviews = await fs.readFile(path.join(dir, 'reviews.yaml'), 'utf8');
    expect(reviews).toContain('19085');
    await saveFile('reviews.yaml', reviews.replace('19085', '19095'));
    const push = await s.next(5_000);
    expect(push.type_url).toBe(EndpointType);
    const [cla] = decode(push) as Array<{ clusterName: string; endpoints: Array<{ lbEndpoints: Array<{ endpoint: { address: { socketAddress: { portValue: number } } } }> }> }>;
    expect(push.resources).toHaveLength(1);
    expect(cla!.clusterName).toBe(REVIEWS_V3);
    expect(cla!.endpoints[0]!.lbEndpoints[0]!.endpoint.address.socketAddress.portValue).toBe(19095);
    expect(await s.quiet(500)).toBe(true);
  });

  it('reports a malformed document and an unknown kind with file and document index, and serves the rest', async () => {
    await fs.writeFile(path.join(dir, 'broken.yaml'), [
      'apiVersion: v1\nkind: Service\nmetadata: {name: extra, namespace: default}\nspec: {ports: [{name: http, port: 80}]}',
      'apiVersion: v1\nkind: Service\nmetadata: {name: bad\n  this is: [not yaml',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}',
    ].join('\n---\n'));
    await start();
    const logs = t.logs.text();
    expect(logs).toMatch(/broken\.yaml#2[^"]*(YAML|yaml|parse|flow)/);
    expect(logs).toMatch(/broken\.yaml#3[^"]*Widget/);
    const s = client.sotw();
    s.send({ node: sidecarNode(), type_url: ClusterType });
    const clusters = (await s.next()).resources.map(resourceName);
    expect(clusters).toContain('outbound|80||extra.default.svc.cluster.local'); // the good document of the same file
    expect(clusters).toContain(REVIEWS_V1);
  });

  it('rejects one invalid VirtualService alone and keeps serving the previous routes', async () => {
    await start();
    const s = client.sotw();
    s.send({ node: sidecarNode(), type_url: RouteType, resource_names: ['9080'] });
    const r1 = await s.next();
    s.send({ type_url: RouteType, version_info: r1.version_info, response_nonce: r1.nonce, resource_names: ['9080'] });
    const routing = await fs.readFile(path.join(dir, 'reviews-routing.yaml'), 'utf8');
    expect(routing).toMatch(/weight: 60/);
    await saveFile('reviews-routing.yaml', routing.replace(/weight: 60/, 'weight: 160'));
    for (let i = 0; i < 100 && !/weight/.test(t.logs.text().split('\n').filter((l) => l.includes('invalid config')).join('\n')); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(t.logs.text()).toMatch(/reviews-routing\.yaml#\d+ VirtualService default\/reviews: spec\.http\[0\]\.route\[0\]\.weight/);
    // The invalid VirtualService is dropped, so reviews falls back to its default route; the rest of the mesh is untouched.
    const r2 = await s.next(5_000);
    const vhosts = (decode(r2)[0] as { virtualHosts: Array<{ name: string }> }).virtualHosts.map((v) => v.name);
    expect(vhosts).toEqual(expect.arrayContaining(['reviews.default.svc.cluster.local:9080', 'ratings.default.svc.cluster.local:9080']));
  });
});

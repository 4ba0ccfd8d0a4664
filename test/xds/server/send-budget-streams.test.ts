/**
 * The send budget on a real server: responses still reach every stream when
 * the budget admits one at a time, and a client that stops reading does not
 * hold everyone else back once its response stalls.
 */
import http2 from 'node:http2';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { fullPush } from '../../../src/push/push-request.js';
import { silentObserver } from '../../../src/xds/server/observer.js';
import { XdsServer } from '../../../src/xds/server/xds-server.js';
import { envoyType } from '../../../src/xds/proto/envoy-protos.js';
import { ClusterType } from '../../../src/xds/proto/type-urls.js';
import { AdsTestClient, sidecarNode } from './support/ads-test-client.js';
import { fixtureGenerators, fixtureSnapshot, type MeshShape } from './support/fixture-mesh.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function meshOf(hosts: number): MeshShape {
  const shape: Record<string, string[]> = {};
  for (let i = 0; i < hosts; i++) shape[`svc-${i}.default.svc.cluster.local`] = ['127.0.0.1'];
  return shape;
}

async function startServer(options: { sendBudgetBytes: number; sendStallMs?: number }, shape: MeshShape): Promise<{ port: number; stalls: number[] }> {
  const stalls: number[] = [];
  const server = new XdsServer({
    generators: fixtureGenerators,
    logger: pino({ level: 'silent' }),
    observer: { ...silentObserver, sendStalled: (bytes) => stalls.push(bytes) },
    ...options,
  });
  await server.push(fixtureSnapshot(shape), fullPush('initial'));
  const port = await server.listen('127.0.0.1', 0);
  cleanups.push(() => server.close());
  return { port, stalls };
}

/** An HTTP/2 client that asks for CDS and then never reads: its flow-control window (64 KiB) stays closed. */
function stalledCdsRequest(port: number): void {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  cleanups.push(() => { session.destroy(); });
  const request = envoyType('envoy.service.discovery.v3.DiscoveryRequest');
  const node = { id: 'sidecar~127.0.0.9~stalled.default~default.svc.cluster.local', metadata: { fields: { NAMESPACE: { stringValue: 'default' } } } };
  const body = Buffer.from(request.encode(request.fromObject({ node, typeUrl: ClusterType })).finish());
  const frame = Buffer.alloc(5 + body.length);
  frame.writeUInt32BE(body.length, 1);
  body.copy(frame, 5);
  const stream = session.request({
    ':method': 'POST',
    ':path': '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources',
    'content-type': 'application/grpc',
    te: 'trailers',
  });
  stream.pause();
  stream.write(frame);
}

describe('send budget on a real server', () => {
  it('answers every stream when the budget lets one response out at a time', async () => {
    const { port } = await startServer({ sendBudgetBytes: 1 }, meshOf(50));
    const client = new AdsTestClient(port);
    cleanups.push(() => client.close());
    const streams = Array.from({ length: 25 }, (_, i) => {
      const s = client.sotw();
      s.send({ node: sidecarNode(`sidecar~127.0.0.1~app-${i}.default~default.svc.cluster.local`), type_url: ClusterType });
      return s;
    });
    const responses = await Promise.all(streams.map((s) => s.next(10_000)));
    for (const r of responses) expect(r.resources).toHaveLength(50);
  });

  it('a client that stops reading holds back others only until its response stalls', async () => {
    // ~600 KB of CDS: far more than the stalled client's 64 KiB window, so its write can never finish.
    const { port, stalls } = await startServer({ sendBudgetBytes: 64 * 1024, sendStallMs: 300 }, meshOf(5_000));
    stalledCdsRequest(port);
    await new Promise((r) => setTimeout(r, 100));
    const client = new AdsTestClient(port, undefined, { 'grpc.max_receive_message_length': -1 });
    cleanups.push(() => client.close());
    const s = client.sotw();
    s.send({ node: sidecarNode(), type_url: ClusterType });
    const r = await s.next(10_000);
    expect(r.resources).toHaveLength(5_000);
    expect(stalls.length).toBeGreaterThanOrEqual(1);
    expect(stalls[0]).toBeGreaterThan(64 * 1024);
  });
});

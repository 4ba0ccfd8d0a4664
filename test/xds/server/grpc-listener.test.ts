import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { listenGrpc } from '../../../src/xds/server/grpc-listener.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe('listenGrpc', () => {
  it('serves the grpc server on the port it reports, and stops accepting when closed', async () => {
    const server = new grpc.Server();
    server.addService(
      { Ping: { path: '/test.Ping/Ping', requestStream: false, responseStream: false, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b } },
      { Ping: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.from(`pong:${call.request.toString()}`)) },
    );
    const listener = await listenGrpc(server, '127.0.0.1', 0, grpc.ServerCredentials.createInsecure());
    closers.push(() => new Promise((resolve) => server.tryShutdown(() => resolve())));
    expect(listener.port).toBeGreaterThan(0);
    const client = new grpc.Client(`127.0.0.1:${listener.port}`, grpc.credentials.createInsecure());
    const reply = await new Promise<Buffer>((resolve, reject) =>
      client.makeUnaryRequest('/test.Ping/Ping', (b: Buffer) => b, (b: Buffer) => b, Buffer.from('x'), (err, value) => (err ? reject(err) : resolve(value!))),
    );
    client.close();
    expect(reply.toString()).toBe('pong:x');
    await listener.close();
    const refused = await new Promise<string>((resolve) => {
      const socket = net.connect(listener.port, '127.0.0.1');
      socket.on('connect', () => { socket.destroy(); resolve('connected'); });
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('names the address when the port is taken', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => squatter.close(() => resolve())));
    const port = (squatter.address() as net.AddressInfo).port;
    await expect(listenGrpc(new grpc.Server(), '127.0.0.1', port, grpc.ServerCredentials.createInsecure())).rejects.toThrow(
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`),
    );
  });
});

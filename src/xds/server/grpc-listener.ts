/**
 * Binds a grpc-js server to host:port through a listening socket tsiod owns,
 * so that the accept queue can be as deep as the kernel allows.
 *
 * grpc-js's bindAsync listens with Node's default backlog of 511. When
 * thousands of proxies reconnect at once (tsiod restarted, a rollout) the
 * queue overflows, the kernel drops the handshakes and proxies see resets and
 * connect timeouts. Go listeners (istiod) use net.core.somaxconn; asking for
 * more than that is capped by the kernel to the same.
 */
import net from 'node:net';
import type * as grpc from '@grpc/grpc-js';

const LISTEN_BACKLOG = 65_535;

export interface GrpcListener {
  readonly port: number;
  /** Stops accepting at once; settles when every accepted socket has closed (the grpc server's shutdown closes its sessions). */
  close(): Promise<void>;
}

export async function listenGrpc(server: grpc.Server, host: string, port: number, credentials: grpc.ServerCredentials): Promise<GrpcListener> {
  const injector = server.createConnectionInjector(credentials);
  const listener = net.createServer((socket) => injector.injectConnection(socket));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(new Error(`cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port}: ${err.message}`, { cause: err }));
    listener.once('error', onError);
    listener.listen({ host, port, backlog: LISTEN_BACKLOG }, () => {
      listener.off('error', onError);
      resolve();
    });
  });
  const address = listener.address();
  if (address === null || typeof address === 'string') throw new Error(`listener on ${host}:${port} has no TCP address`);
  return {
    port: address.port,
    close: () => new Promise<void>((resolve) => listener.close(() => resolve())),
  };
}

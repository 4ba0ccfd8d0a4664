/** Binding and stopping the gRPC test backends: always 127.0.0.1, never waiting on a client that keeps its connection. */
import * as grpc from '@grpc/grpc-js';

export function bindLoopback(server: grpc.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
      if (error) reject(error);
      else resolve(port);
    });
  });
}

export function shutdownServer(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    // A client that keeps its connection open must not hold the test up: force after a grace period.
    const force = setTimeout(() => server.forceShutdown(), 1_000);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

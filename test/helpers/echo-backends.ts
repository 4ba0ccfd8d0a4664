/**
 * Real gRPC EchoService servers (grpc-js) on 127.0.0.1, one per backend id;
 * each answers WhoAmI with its own id so a client can tell who served an RPC.
 */
import * as grpc from '@grpc/grpc-js';
import {
  WHO_AM_I_PATH,
  deserializeWhoAmIRequest,
  serializeWhoAmIResponse,
  whoAmIResponse,
} from './echo-service.js';
import type { WhoAmIRequest, WhoAmIResponse } from '../../src/gen/tsiod/testing/v1/echo_pb.js';

export interface EchoBackend {
  readonly id: string;
  readonly port: number;
}

export interface EchoBackends {
  readonly backends: readonly EchoBackend[];
  /** The port of the backend with this id; throws for an unknown id. */
  portOf(id: string): number;
  stop(): Promise<void>;
}

const echoServiceDefinition: grpc.ServiceDefinition = {
  WhoAmI: {
    path: WHO_AM_I_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (): Buffer => {
      throw new Error('a server never serializes requests');
    },
    requestDeserialize: deserializeWhoAmIRequest,
    responseSerialize: serializeWhoAmIResponse,
    responseDeserialize: (): WhoAmIResponse => {
      throw new Error('a server never deserializes responses');
    },
  },
};

function bind(server: grpc.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
      if (error) reject(error);
      else resolve(port);
    });
  });
}

function shutdown(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    // A client that keeps its connection open must not hold the test up: force after a grace period.
    const force = setTimeout(() => server.forceShutdown(), 1_000);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

async function startOne(id: string): Promise<{ backend: EchoBackend; server: grpc.Server }> {
  const server = new grpc.Server();
  const whoAmI: grpc.handleUnaryCall<WhoAmIRequest, WhoAmIResponse> = (_call, callback) => {
    callback(null, whoAmIResponse(id));
  };
  server.addService(echoServiceDefinition, { WhoAmI: whoAmI });
  const port = await bind(server);
  return { backend: { id, port }, server };
}

export async function startEchoBackends(ids: readonly string[]): Promise<EchoBackends> {
  if (new Set(ids).size !== ids.length) throw new Error(`backend ids must be unique: ${ids.join(', ')}`);
  const started = await Promise.all(ids.map(startOne));
  const backends = started.map((s) => s.backend);
  return {
    backends,
    portOf(id: string): number {
      const backend = backends.find((b) => b.id === id);
      if (!backend) throw new Error(`no echo backend "${id}" (have ${ids.join(', ')})`);
      return backend.port;
    },
    async stop(): Promise<void> {
      await Promise.all(started.map((s) => shutdown(s.server)));
    },
  };
}

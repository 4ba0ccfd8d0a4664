/**
 * Real gRPC servers (grpc-js) on 127.0.0.1, one per backend id, that tell a
 * client who served an RPC: EchoService.WhoAmI answers with the id, and
 * TestService.UnaryCall with an empty response and the id in the "hostname"
 * header, as grpc-go's xDS interop server does. With the second, any interop
 * client runs against these npm-only backends.
 */
import * as grpc from '@grpc/grpc-js';
import { bindLoopback, shutdownServer } from './grpc-test-server.js';
import {
  EMPTY_MESSAGE,
  HOSTNAME_HEADER,
  UNARY_CALL_METHOD,
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
  UnaryCall: UNARY_CALL_METHOD,
};

async function startOne(id: string): Promise<{ backend: EchoBackend; server: grpc.Server }> {
  const server = new grpc.Server();
  const whoAmI: grpc.handleUnaryCall<WhoAmIRequest, WhoAmIResponse> = (_call, callback) => {
    callback(null, whoAmIResponse(id));
  };
  const unaryCall: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    const headers = new grpc.Metadata();
    headers.set(HOSTNAME_HEADER, id);
    call.sendMetadata(headers);
    callback(null, EMPTY_MESSAGE);
  };
  server.addService(echoServiceDefinition, { WhoAmI: whoAmI, UnaryCall: unaryCall });
  const port = await bindLoopback(server);
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
      await Promise.all(started.map((s) => shutdownServer(s.server)));
    },
  };
}

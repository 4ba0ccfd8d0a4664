/**
 * The wire contracts shared by the test backends and the client drivers:
 *
 * - tsiod's own EchoService.WhoAmI (proto/tsiod/testing/v1/echo.proto), the
 *   echo backends' server side of it, with protobuf-es (de)serializers.
 * - gRPC's interop TestService.UnaryCall, the call grpc-go's xDS interop client
 *   makes and its interop server answers. Every client and backend here speaks
 *   it, so any client can run against any kind of backend. Its proto is
 *   third-party and never committed: an empty message is a valid SimpleRequest
 *   and SimpleResponse (every field optional), and the backend names itself in
 *   the "hostname" response header, as grpc-go's interop server does.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type * as grpc from '@grpc/grpc-js';
import {
  EchoService,
  WhoAmIRequestSchema,
  WhoAmIResponseSchema,
  type WhoAmIRequest,
  type WhoAmIResponse,
} from '../../src/gen/tsiod/testing/v1/echo_pb.js';

/** "/tsiod.testing.v1.EchoService/WhoAmI", derived from the generated descriptor so a rename cannot drift. */
export const WHO_AM_I_PATH = `/${EchoService.typeName}/${EchoService.method.whoAmI.name}`;

export function deserializeWhoAmIRequest(bytes: Buffer): WhoAmIRequest {
  return fromBinary(WhoAmIRequestSchema, bytes);
}

export function serializeWhoAmIResponse(response: WhoAmIResponse): Buffer {
  return Buffer.from(toBinary(WhoAmIResponseSchema, response));
}

export function whoAmIResponse(backend: string): WhoAmIResponse {
  return create(WhoAmIResponseSchema, { backend });
}

export const UNARY_CALL_PATH = '/grpc.testing.TestService/UnaryCall';
/** The response header in which grpc-go's interop server (and so every backend here) names itself. */
export const HOSTNAME_HEADER = 'hostname';
/** An encoded message with no fields set: a valid SimpleRequest and SimpleResponse. */
export const EMPTY_MESSAGE: Buffer = Buffer.alloc(0);

/** Raw bytes through unchanged: the messages are never looked into. */
export const passBytes = (bytes: Buffer): Buffer => bytes;

/** TestService.UnaryCall as a server method over raw bytes, for backends that only answer (or fail) it. */
export const UNARY_CALL_METHOD: grpc.MethodDefinition<Buffer, Buffer> = {
  path: UNARY_CALL_PATH,
  requestStream: false,
  responseStream: false,
  requestSerialize: passBytes,
  requestDeserialize: passBytes,
  responseSerialize: passBytes,
  responseDeserialize: passBytes,
};

/** Makes one UnaryCall on `client` and resolves to the hostname header of the backend that answered. */
export function unaryCallHostname(client: grpc.Client, deadlineMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let hostname: string | undefined;
    const call = client.makeUnaryRequest(
      UNARY_CALL_PATH,
      passBytes,
      passBytes,
      EMPTY_MESSAGE,
      { deadline: Date.now() + deadlineMs },
      (error) => {
        if (error) reject(error);
        else if (hostname === undefined) reject(new Error(`UnaryCall answered without a "${HOSTNAME_HEADER}" header`));
        else resolve(hostname);
      },
    );
    // Response headers arrive before the status, so this runs before the callback.
    call.on('metadata', (headers: grpc.Metadata) => {
      const [value] = headers.get(HOSTNAME_HEADER);
      if (typeof value === 'string') hostname = value;
    });
  });
}

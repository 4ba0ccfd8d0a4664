/**
 * The EchoService wire contract shared by the test backends and the grpc-js
 * client driver: the full method path and protobuf-es (de)serializers.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  EchoService,
  WhoAmIRequestSchema,
  WhoAmIResponseSchema,
  type WhoAmIRequest,
  type WhoAmIResponse,
} from '../../src/gen/tsiod/testing/v1/echo_pb.js';

/** "/tsiod.testing.v1.EchoService/WhoAmI", derived from the generated descriptor so a rename cannot drift. */
export const WHO_AM_I_PATH = `/${EchoService.typeName}/${EchoService.method.whoAmI.name}`;

export function serializeWhoAmIRequest(request: WhoAmIRequest): Buffer {
  return Buffer.from(toBinary(WhoAmIRequestSchema, request));
}

export function deserializeWhoAmIRequest(bytes: Buffer): WhoAmIRequest {
  return fromBinary(WhoAmIRequestSchema, bytes);
}

export function serializeWhoAmIResponse(response: WhoAmIResponse): Buffer {
  return Buffer.from(toBinary(WhoAmIResponseSchema, response));
}

export function deserializeWhoAmIResponse(bytes: Buffer): WhoAmIResponse {
  return fromBinary(WhoAmIResponseSchema, bytes);
}

export function whoAmIRequest(): WhoAmIRequest {
  return create(WhoAmIRequestSchema);
}

export function whoAmIResponse(backend: string): WhoAmIResponse {
  return create(WhoAmIResponseSchema, { backend });
}

/**
 * The grpc-js definition of istio.v1.auth.IstioCertificateService, over the
 * protoc-gen-es messages of proto/istio/v1/auth/ca.proto. Servers register it;
 * clients (tests, tools) build a stub from the same object.
 */
import type * as grpc from '@grpc/grpc-js';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  IstioCertificateRequestSchema,
  IstioCertificateResponseSchema,
  type IstioCertificateRequest,
  type IstioCertificateResponse,
} from '../../gen/istio/v1/auth/ca_pb.js';

export const CREATE_CERTIFICATE_PATH = '/istio.v1.auth.IstioCertificateService/CreateCertificate';

export const certificateServiceDefinition = {
  CreateCertificate: {
    path: CREATE_CERTIFICATE_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (request: IstioCertificateRequest): Buffer => Buffer.from(toBinary(IstioCertificateRequestSchema, request)),
    requestDeserialize: (bytes: Buffer): IstioCertificateRequest => fromBinary(IstioCertificateRequestSchema, bytes),
    responseSerialize: (response: IstioCertificateResponse): Buffer => Buffer.from(toBinary(IstioCertificateResponseSchema, response)),
    responseDeserialize: (bytes: Buffer): IstioCertificateResponse => fromBinary(IstioCertificateResponseSchema, bytes),
    originalName: 'createCertificate',
  },
} satisfies grpc.ServiceDefinition;

/**
 * The TestService.UnaryCall handler of the mutual-TLS backends: it answers
 * with the backend's name in the "hostname" header, as every backend here
 * does, and records the spiffe:// identities of each caller, read from the
 * verified peer certificate.
 */
import * as grpc from '@grpc/grpc-js';
import { EMPTY_MESSAGE, HOSTNAME_HEADER, UNARY_CALL_METHOD } from './echo-service.js';

/** The URI SANs of the call's verified client certificate (none without one). */
export function peerUris(call: grpc.ServerUnaryCall<Buffer, Buffer>): string[] {
  const san = call.getAuthContext().sslPeerCertificate?.subjectaltname ?? '';
  return san
    .split(', ')
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice('URI:'.length));
}

/** Registers UnaryCall on `server`; each RPC appends its caller's identities to `served`, or `withoutCertificate`. */
export function registerIdentityEcho(server: grpc.Server, name: string, served: string[], withoutCertificate: string): void {
  server.register(
    UNARY_CALL_METHOD.path,
    (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      const uris = peerUris(call);
      served.push(...(uris.length > 0 ? uris : [withoutCertificate]));
      const headers = new grpc.Metadata();
      headers.set(HOSTNAME_HEADER, name);
      call.sendMetadata(headers);
      callback(null, EMPTY_MESSAGE);
    },
    UNARY_CALL_METHOD.responseSerialize,
    UNARY_CALL_METHOD.requestDeserialize,
    'unary',
  );
}

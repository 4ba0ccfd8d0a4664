/**
 * Why a stream is closed, as the gRPC status its client sees. Each refusal
 * ends that one stream; the server and every other stream carry on.
 */
import { status } from '@grpc/grpc-js';

export abstract class StreamError extends Error {
  abstract readonly code: status;
}

/** The client broke the protocol (no node, an unknown proxy type): INVALID_ARGUMENT. */
export class ProtocolViolation extends StreamError {
  override readonly name = 'ProtocolViolation';
  readonly code = status.INVALID_ARGUMENT;
}

/** The stream could not prove who it is on a port that requires it: UNAUTHENTICATED. */
export class StreamUnauthenticated extends StreamError {
  override readonly name = 'StreamUnauthenticated';
  readonly code = status.UNAUTHENTICATED;
}

/** The stream proved an identity, but its node claims another: PERMISSION_DENIED. */
export class StreamPermissionDenied extends StreamError {
  override readonly name = 'StreamPermissionDenied';
  readonly code = status.PERMISSION_DENIED;
}

/** tsiod cannot serve yet (no configuration loaded): UNAVAILABLE, so the client retries. */
export class StreamUnavailable extends StreamError {
  override readonly name = 'StreamUnavailable';
  readonly code = status.UNAVAILABLE;
}

/** The status code to close with: the error's own, INTERNAL for anything else (a tsiod bug). */
export function statusCodeOf(err: unknown): status {
  return err instanceof StreamError ? err.code : status.INTERNAL;
}

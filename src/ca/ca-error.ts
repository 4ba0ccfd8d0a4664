/**
 * The CA's refusals of a request (as opposed to its own faults): a bad CSR or
 * TTL. The message is safe to return to the caller and to log; the CA API maps
 * the code to a gRPC status and a metric.
 */

export type CaErrorCode = 'invalid-csr' | 'csr-signature' | 'ttl-too-long' | 'invalid-ttl';

export class CaError extends Error {
  override readonly name = 'CaError';
  constructor(
    readonly code: CaErrorCode,
    message: string,
  ) {
    super(message);
  }
}

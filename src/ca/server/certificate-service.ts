/**
 * istio.v1.auth.IstioCertificateService/CreateCertificate, as istiod serves
 * it (security/pkg/server/ca/server.go): the caller is authenticated, the
 * identity put in the certificate is the authenticated one only (SANs in the
 * CSR are ignored), and the answer is the chain leaf first, root last.
 *
 * Impersonation (metadata ImpersonatedIdentity, for node agents listed in
 * istiod's CA_TRUSTED_NODE_ACCOUNTS) is refused: tsiod has no trusted node
 * accounts, which is istiod's own answer when none are configured.
 */
import * as grpc from '@grpc/grpc-js';
import { create } from '@bufbuild/protobuf';
import type { Logger } from 'pino';
import { IstioCertificateResponseSchema, type IstioCertificateRequest, type IstioCertificateResponse } from '../../gen/istio/v1/auth/ca_pb.js';
import type { CaMetrics, CertSignErrorType } from '../../metrics/ca-metrics.js';
import { CaError, type CaErrorCode, type CertificateAuthority } from '../certificate-authority.js';
import { spiffeUri, type SpiffeIdentity } from '../spiffe.js';
import { authenticateCaller, AuthenticationError, callerCredentials, type AuthenticatedCaller, type Authenticator } from '../authn/authenticator.js';
import { certificateServiceDefinition } from './certificate-service-definition.js';
import { safeMessage } from './safe-message.js';

/** istiod's metadata key (pkg/security.ImpersonatedIdentity). */
export const IMPERSONATED_IDENTITY = 'ImpersonatedIdentity';
/** A CSR is a few hundred bytes to a few KiB; anything this large is not one. */
export const MAX_CSR_LENGTH = 64 * 1024;

/** What the service needs of the CA; CertificateAuthority has it. */
export type CsrSigningAuthority = Pick<CertificateAuthority, 'trustDomain' | 'signCsr' | 'rootCertExpiry' | 'signingCertExpiry' | 'onTrustBundleChange' | 'trustBundlePem'>;

export interface CertificateServiceDeps {
  readonly ca: CsrSigningAuthority;
  readonly authenticators: readonly Authenticator[];
  readonly metrics: CaMetrics;
  readonly logger: Logger;
}

type Failure = { readonly code: grpc.status; readonly details: string };

const CA_ERRORS: Readonly<Record<CaErrorCode, { type: CertSignErrorType; parsing: boolean }>> = {
  'invalid-csr': { type: 'CSR_ERROR', parsing: true },
  'csr-signature': { type: 'CSR_ERROR', parsing: true },
  'ttl-too-long': { type: 'TTL_ERROR', parsing: false },
  'invalid-ttl': { type: 'TTL_ERROR', parsing: false },
};

const withNewline = (pem: string): string => (pem.endsWith('\n') ? pem : `${pem}\n`);

/**
 * istiod's answer: the leaf and the chain above it one certificate per
 * element, then the whole trust bundle as the last element. pilot-agent
 * takes its roots from that last element, so during a root rotation it
 * learns the introduced root before any leaf is signed by it.
 */
export function responseChain(certChainPem: readonly string[], trustBundlePem: readonly string[]): string[] {
  const belowRoot = certChainPem.length > 1 ? certChainPem.slice(0, -1) : certChainPem;
  const bundle = trustBundlePem.length > 0 ? trustBundlePem : certChainPem.slice(-1);
  // Each element ends in a newline, as istiod's do: some clients concatenate the list as is.
  return [...belowRoot.map(withNewline), bundle.map(withNewline).join('')];
}

export function addCertificateService(server: grpc.Server, deps: CertificateServiceDeps): void {
  const logger = deps.logger.child({ scope: 'ca-server' });
  recordRootExpiry(deps, logger);
  const createCertificate: grpc.handleUnaryCall<IstioCertificateRequest, IstioCertificateResponse> = (call, callback) => {
    handle(deps, logger, call).then(
      (response) => callback(null, response),
      (failure: unknown) => {
        if (isFailure(failure)) {
          callback({ code: failure.code, details: failure.details });
          return;
        }
        logger.error({ err: safeMessage(String(failure)) }, 'CreateCertificate failed unexpectedly');
        callback({ code: grpc.status.INTERNAL, details: 'internal error while issuing the certificate' });
      },
    );
  };
  server.addService(certificateServiceDefinition, { CreateCertificate: createCertificate });
}

/** istiod's RecordCertsExpiry: the root's expiry, and a plugged-in signing certificate's; again after each rotation. */
function recordRootExpiry(deps: CertificateServiceDeps, logger: Logger): void {
  const record = (): void => {
    try {
      const root = deps.ca.rootCertExpiry();
      const signing = deps.ca.signingCertExpiry();
      // A self-signed CA signs with its root: there is no separate chain to watch, as in istiod.
      deps.metrics.recordCertExpiry(signing.getTime() === root.getTime() ? { root } : { root, certChain: signing });
    } catch (error) {
      logger.error({ err: safeMessage(String(error)) }, 'cannot read the CA certificate expiry for citadel_server_root_cert_expiry_timestamp');
    }
  };
  record();
  deps.ca.onTrustBundleChange(record);
}

function isFailure(value: unknown): value is Failure {
  return typeof value === 'object' && value !== null && typeof (value as Failure).code === 'number' && typeof (value as Failure).details === 'string';
}

function fail(code: grpc.status, details: string): Failure {
  return { code, details: safeMessage(details) };
}

async function handle(
  deps: CertificateServiceDeps,
  logger: Logger,
  call: grpc.ServerUnaryCall<IstioCertificateRequest, IstioCertificateResponse>,
): Promise<IstioCertificateResponse> {
  deps.metrics.csrReceived();
  const credentials = callerCredentials(call);
  const peer = credentials.peer;

  let caller: AuthenticatedCaller;
  try {
    caller = await authenticateCaller(deps.authenticators, credentials);
  } catch (error) {
    deps.metrics.authenticationFailed();
    if (error instanceof AuthenticationError) {
      logger.warn({ peer, reason: error.reason, detail: error.detail === undefined ? undefined : safeMessage(error.detail) }, `CreateCertificate: authentication failed: ${safeMessage(error.message)}`);
      const code = error.reason === 'unavailable' ? grpc.status.UNAVAILABLE : grpc.status.UNAUTHENTICATED;
      throw fail(code, `authentication failed: ${error.message}`);
    }
    logger.error({ peer, err: safeMessage(String(error)) }, 'CreateCertificate: authentication threw');
    throw fail(grpc.status.UNAUTHENTICATED, 'authentication failed');
  }
  const request = call.request;

  const impersonated = request.metadata?.[IMPERSONATED_IDENTITY];
  if (impersonated !== undefined && impersonated !== null && impersonated !== '') {
    deps.metrics.authenticationFailed();
    logger.warn({ peer, caller: `${caller.namespace}/${caller.serviceAccount}` }, 'CreateCertificate: impersonation refused: tsiod has no trusted node accounts');
    throw fail(grpc.status.UNAUTHENTICATED, 'request impersonation authentication failure');
  }

  const identity: SpiffeIdentity = { trustDomain: deps.ca.trustDomain, namespace: caller.namespace, serviceAccount: caller.serviceAccount };
  const subject = spiffeUri(identity);
  const csr = request.csr;
  if (csr.trim() === '' || csr.length > MAX_CSR_LENGTH) {
    deps.metrics.csrParsingFailed();
    deps.metrics.signFailed('CSR_ERROR');
    const why = csr.trim() === '' ? 'the csr field is empty' : `the csr field is ${csr.length} characters, more than the ${MAX_CSR_LENGTH} a CSR can be`;
    logger.warn({ peer, identity: subject }, `CreateCertificate: ${why}`);
    throw fail(grpc.status.INVALID_ARGUMENT, `CSR signing error: ${why}`);
  }

  try {
    const issued = await deps.ca.signCsr(csr, identity, requestedTtlSeconds(request.validityDuration));
    deps.metrics.certificateIssued();
    logger.info({ peer, identity: subject, via: caller.via, serial: issued.serialHex, notAfter: issued.notAfter.toISOString() }, 'CreateCertificate: issued');
    return create(IstioCertificateResponseSchema, { certChain: responseChain(issued.certChainPem, deps.ca.trustBundlePem()) });
  } catch (error) {
    if (error instanceof CaError) {
      const kind = CA_ERRORS[error.code] ?? { type: 'CERT_GEN_ERROR' as const, parsing: false };
      if (kind.parsing) deps.metrics.csrParsingFailed();
      deps.metrics.signFailed(kind.type);
      logger.warn({ peer, identity: subject, code: error.code }, `CreateCertificate: CSR signing error: ${safeMessage(error.message)}`);
      throw fail(grpc.status.INVALID_ARGUMENT, `CSR signing error: ${error.message}`);
    }
    deps.metrics.signFailed('CERT_GEN_ERROR');
    logger.error({ peer, identity: subject, err: safeMessage(String(error)) }, 'CreateCertificate: signing failed');
    throw fail(grpc.status.INTERNAL, 'CSR signing error: the CA could not sign the certificate');
  }
}

/** istiod applies the default TTL to a non-positive request; a huge one is passed on for the CA to refuse. */
function requestedTtlSeconds(validityDuration: bigint): number | undefined {
  if (validityDuration <= 0n) return undefined;
  return validityDuration > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(validityDuration);
}

/**
 * How a caller of the CA (and of authenticated xDS) proves who it is: the
 * credentials a gRPC call carries, the authenticators that judge them, and
 * the one outcome the service acts on: a namespace and service account, or
 * an AuthenticationError whose reason picks the gRPC status and the log line.
 *
 * As in istiod (security.Authenticate), every authenticator is asked and the
 * first that vouches for the caller wins; a refusal from one does not stop
 * another from accepting (a local JWT is not a Kubernetes token, and vice versa).
 */
import type * as grpc from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';

export interface CallerCredentials {
  /** The token of `authorization: Bearer <token>`, if the call carried one. */
  readonly bearerToken?: string;
  /** DER of the client certificate, present only when the TLS handshake verified its chain. */
  readonly peerCertificateDer?: Buffer;
  /** The caller's address, for logs. */
  readonly peer: string;
}

export interface AuthenticatedCaller {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly via: 'kubernetes-token' | 'jwt' | 'client-certificate';
}

export type AuthenticationFailure =
  | 'missing-credentials'
  | 'invalid-token'
  | 'expired-token'
  | 'wrong-audience'
  | 'not-a-service-account'
  | 'untrusted-certificate'
  | 'unavailable';

/** A refusal. The message is safe to return to the caller: it never holds the token or key material. */
export class AuthenticationError extends Error {
  readonly reason: AuthenticationFailure;
  /** More for the server's log than the caller should learn (e.g. the apiserver's own error); never a token. */
  readonly detail: string | undefined;
  constructor(reason: AuthenticationFailure, message: string, detail?: string) {
    super(message);
    this.name = 'AuthenticationError';
    this.reason = reason;
    this.detail = detail;
  }
}

export interface Authenticator {
  /** A short name for logs, e.g. "kubernetes-token" or "jwt(https://issuer)". */
  readonly kind: string;
  /**
   * The caller, or undefined when these credentials are not this authenticator's
   * to judge (no bearer token, a JWT of another issuer). Throws AuthenticationError
   * when it judged them and refused.
   */
  authenticate(credentials: CallerCredentials): Promise<AuthenticatedCaller | undefined>;
}

/** grpc-js's AuthContext (not exported from its index): set only for a TLS peer whose chain verified. */
export interface CallAuthContext {
  readonly transportSecurityType?: string;
  readonly sslPeerCertificate?: PeerCertificate;
}

/** The part of a grpc-js server call that carries credentials (unary, streaming and bidi calls all have it). */
export interface CallWithCredentials {
  readonly metadata: grpc.Metadata;
  getPeer(): string;
  getAuthContext(): CallAuthContext;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * The credentials of a call. grpc-js puts a peer certificate in the auth
 * context only when the TLS socket is `authorized`, i.e. its chain verified
 * against the server's CA bundle, so an unverified certificate never gets here.
 */
export function callerCredentials(call: CallWithCredentials): CallerCredentials {
  const peer = safePeer(call);
  let bearerToken: string | undefined;
  for (const value of call.metadata.get('authorization')) {
    const match = typeof value === 'string' ? BEARER.exec(value) : null;
    if (match?.[1]) {
      bearerToken = match[1];
      break;
    }
  }
  let peerCertificateDer: Buffer | undefined;
  try {
    const context = call.getAuthContext();
    const raw = context.sslPeerCertificate?.raw;
    if (context.transportSecurityType === 'ssl' && Buffer.isBuffer(raw) && raw.length > 0) peerCertificateDer = raw;
  } catch {
    // A call whose transport is gone has no auth context; it is then judged on its token alone.
  }
  return { peer, ...(bearerToken !== undefined ? { bearerToken } : {}), ...(peerCertificateDer ? { peerCertificateDer } : {}) };
}

function safePeer(call: CallWithCredentials): string {
  try {
    return call.getPeer();
  } catch {
    return 'unknown';
  }
}

/** Which refusal to report when several authenticators refused: the one most useful to the caller. */
const REPORT_ORDER: readonly AuthenticationFailure[] = [
  // The apiserver being down is not the caller's fault: it should retry, not give up.
  'unavailable',
  'expired-token',
  'wrong-audience',
  'not-a-service-account',
  'untrusted-certificate',
  'invalid-token',
  'missing-credentials',
];

/**
 * Asks each authenticator in order; the first caller returned wins. Throws
 * AuthenticationError when none vouches for the caller.
 */
export async function authenticateCaller(authenticators: readonly Authenticator[], credentials: CallerCredentials): Promise<AuthenticatedCaller> {
  if (credentials.bearerToken === undefined && credentials.peerCertificateDer === undefined) {
    throw new AuthenticationError('missing-credentials', 'no credentials: send "authorization: Bearer <token>" or a client certificate issued by this CA');
  }
  const refusals: AuthenticationError[] = [];
  for (const authenticator of authenticators) {
    try {
      const caller = await authenticator.authenticate(credentials);
      if (caller) return caller;
    } catch (error) {
      refusals.push(
        error instanceof AuthenticationError
          ? error
          // An authenticator's own bug must not turn into an acceptance, nor leak its message.
          : new AuthenticationError('invalid-token', `${authenticator.kind} could not check the credentials`),
      );
    }
  }
  const worst = REPORT_ORDER.map((reason) => refusals.find((r) => r.reason === reason)).find((r) => r !== undefined);
  if (worst) throw worst;
  if (credentials.bearerToken !== undefined) {
    throw new AuthenticationError('invalid-token', 'the bearer token is not one this server accepts (unknown issuer or not a JWT)');
  }
  throw new AuthenticationError('untrusted-certificate', 'the client certificate carries no identity this server accepts');
}

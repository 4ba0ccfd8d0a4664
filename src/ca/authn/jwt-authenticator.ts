/**
 * Bearer JWTs from one configured issuer (an OIDC provider, or tsiod's own
 * local issuer), verified with jose: signature against the issuer's JWKS,
 * exp/nbf, iss and aud, as istiod's JwtAuthenticator (authenticate/oidc.go).
 * The identity is the Kubernetes service account the token names, from the
 * `kubernetes.io` claims of projected tokens or `sub`
 * (system:serviceaccount:<ns>:<sa>). Tokens of other issuers are not this
 * authenticator's to judge.
 */
import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AuthenticationError, type AuthenticatedCaller, type Authenticator, type CallerCredentials } from './authenticator.js';
import { checkJwks, type JwtRule } from './jwt-rule.js';
import { isNamespaceName, isServiceAccountName, looksLikeBearerToken, parseServiceAccountUsername, type ServiceAccountRef } from './service-account-name.js';

/** Only signatures with public keys: a symmetric or "none" algorithm would let anyone who has the JWKS mint tokens. */
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

export interface JwtAuthenticatorOptions {
  readonly issuer: string;
  readonly audiences: readonly string[];
  /** The issuer's keys: jose's key lookup over a local or remote JWKS. */
  readonly keys: JWTVerifyGetKey;
  /** Clock skew tolerated on exp/nbf; default 30 s. */
  readonly clockToleranceSeconds?: number;
}

export class JwtAuthenticator implements Authenticator {
  readonly kind: string;
  private readonly options: JwtAuthenticatorOptions;

  constructor(options: JwtAuthenticatorOptions) {
    if (options.audiences.length === 0) throw new Error(`JWT issuer ${options.issuer}: at least one audience is required`);
    this.options = options;
    this.kind = `jwt(${options.issuer})`;
  }

  /** An authenticator for a --jwt-rule; a JWKS file is read (and checked) now, a JWKS URL fetched when first needed. */
  static async fromRule(rule: JwtRule): Promise<JwtAuthenticator> {
    let keys: JWTVerifyGetKey;
    switch (rule.jwks.kind) {
      case 'url':
        keys = createRemoteJWKSet(new URL(rule.jwks.url));
        break;
      case 'inline':
        keys = createLocalJWKSet(rule.jwks.jwks);
        break;
      case 'file': {
        let text: string;
        try {
          text = await readFile(rule.jwks.path, 'utf8');
        } catch (error) {
          throw new Error(`JWT issuer ${rule.issuer}: cannot read JWKS file ${rule.jwks.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (error) {
          throw new Error(`JWT issuer ${rule.issuer}: JWKS file ${rule.jwks.path} is not JSON (${(error as Error).message})`);
        }
        keys = createLocalJWKSet(checkJwks(`jwks=${rule.jwks.path}`, parsed));
        break;
      }
    }
    return new JwtAuthenticator({ issuer: rule.issuer, audiences: rule.audiences, keys });
  }

  async authenticate(credentials: CallerCredentials): Promise<AuthenticatedCaller | undefined> {
    const token = credentials.bearerToken;
    if (token === undefined || !looksLikeBearerToken(token)) return undefined;
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      return undefined; // not a JWT: perhaps another authenticator's
    }
    if (unverified.iss !== this.options.issuer) return undefined;

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.options.keys, {
        issuer: this.options.issuer,
        audience: [...this.options.audiences],
        algorithms: ASYMMETRIC_ALGORITHMS,
        requiredClaims: ['exp'],
        clockTolerance: this.options.clockToleranceSeconds ?? 30,
      }));
    } catch (error) {
      throw this.refusal(error);
    }
    return { ...serviceAccountOf(payload), via: 'jwt' };
  }

  private refusal(error: unknown): AuthenticationError {
    const issuer = this.options.issuer;
    if (error instanceof errors.JWTExpired) return new AuthenticationError('expired-token', `the JWT from ${issuer} has expired`);
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.claim === 'aud') return new AuthenticationError('wrong-audience', `the JWT from ${issuer} is not for audience ${this.options.audiences.join(' or ')}`);
      return new AuthenticationError('invalid-token', `the JWT from ${issuer} failed its "${error.claim}" check (${error.reason})`);
    }
    // jose throws a bare JOSEError only for a JWKS response that is not 200 or not JSON; anything not jose's is the fetch failing.
    const jwksUnavailable = error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid
      || !(error instanceof errors.JOSEError) || error.constructor === errors.JOSEError;
    if (jwksUnavailable) {
      // The issuer's key set could not be had (fetch failed, timed out, or it served garbage): not the caller's fault.
      return new AuthenticationError('unavailable', `the keys of JWT issuer ${issuer} could not be fetched; retry later`, describe(error));
    }
    if (error instanceof errors.JOSEAlgNotAllowed) return new AuthenticationError('invalid-token', `the JWT from ${issuer} uses an algorithm this server does not accept`);
    if (error instanceof errors.JWKSNoMatchingKey) return new AuthenticationError('invalid-token', `the JWT from ${issuer} is signed by a key the issuer does not publish`);
    if (error instanceof errors.JWSSignatureVerificationFailed) return new AuthenticationError('invalid-token', `the JWT from ${issuer} has an invalid signature`);
    return new AuthenticationError('invalid-token', `the JWT from ${issuer} is not valid`, describe(error));
  }
}

function describe(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

/**
 * The service account a verified token names. Projected Kubernetes tokens
 * carry both `kubernetes.io` and `sub`; when both are there they must agree.
 */
export function serviceAccountOf(payload: JWTPayload): ServiceAccountRef {
  const fromSub = typeof payload.sub === 'string' ? parseServiceAccountUsername(payload.sub) : undefined;
  const k8s = payload['kubernetes.io'];
  let fromClaims: ServiceAccountRef | undefined;
  if (k8s !== undefined) {
    const namespace = typeof k8s === 'object' && k8s ? (k8s as { namespace?: unknown }).namespace : undefined;
    const sa = typeof k8s === 'object' && k8s ? (k8s as { serviceaccount?: { name?: unknown } }).serviceaccount : undefined;
    const name = sa && typeof sa === 'object' ? sa.name : undefined;
    if (typeof namespace !== 'string' || typeof name !== 'string' || !isNamespaceName(namespace) || !isServiceAccountName(name)) {
      throw new AuthenticationError('not-a-service-account', 'the JWT\'s "kubernetes.io" claim does not name a namespace and service account');
    }
    fromClaims = { namespace, serviceAccount: name };
  }
  if (fromClaims && fromSub && (fromClaims.namespace !== fromSub.namespace || fromClaims.serviceAccount !== fromSub.serviceAccount)) {
    throw new AuthenticationError('not-a-service-account', 'the JWT\'s "kubernetes.io" and "sub" claims name different service accounts');
  }
  const account = fromClaims ?? fromSub;
  if (!account) throw new AuthenticationError('not-a-service-account', 'the JWT names no service account (sub must be system:serviceaccount:<namespace>:<name>)');
  return account;
}

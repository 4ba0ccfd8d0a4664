/**
 * Authenticated xDS (istiod's 15012). A stream on an authenticated port
 * proves who it is once, when it opens (a bearer token or a verified client
 * certificate, judged by the injected authenticator); its first request then
 * names a node, which must be that identity's (Istio's
 * checkConnectionIdentity). Plaintext ports never authenticate: their
 * streams get config but no secrets.
 */
import type * as grpc from '@grpc/grpc-js';
import type { ProxyNode, VerifiedIdentity } from '../../model/proxy.js';
import { StreamPermissionDenied, StreamUnauthenticated } from './stream-errors.js';

/** What an authenticator may read from a stream: its headers (authorization), its peer and its TLS peer certificate. */
export type XdsStreamCall = Pick<grpc.ServerDuplexStream<unknown, unknown>, 'metadata' | 'getPeer' | 'getAuthContext'>;

/**
 * Resolves the identity a stream proved. Rejecting, or resolving undefined
 * (no credentials it accepts), refuses the stream with UNAUTHENTICATED; the
 * error's message is the client's explanation, so it must hold no secret.
 */
export type XdsAuthenticator = (call: XdsStreamCall) => Promise<VerifiedIdentity | undefined>;

/** For authenticators to throw; any rejection is treated alike. */
export class XdsAuthenticationError extends Error {
  override readonly name = 'XdsAuthenticationError';
}

/** Told which identities have streams: to issue their certificates while they do, and forget them after. */
export interface IdentityStreams {
  /** A stream authenticated as `identity` is registered (its node matched). */
  opened(identity: VerifiedIdentity): void;
  /** That stream closed; called once per opened(). */
  closed(identity: VerifiedIdentity): void;
}

export async function authenticateStream(authenticate: XdsAuthenticator, call: XdsStreamCall): Promise<VerifiedIdentity> {
  let identity: VerifiedIdentity | undefined;
  try {
    identity = await authenticate(call);
  } catch (err) {
    throw new StreamUnauthenticated(`authentication failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!identity) {
    throw new StreamUnauthenticated('authentication failed: the stream carries no credentials this port accepts (an "authorization: Bearer" token or a client certificate of the mesh)');
  }
  return identity;
}

/**
 * Istio's checkConnectionIdentity: the identity's namespace must be the
 * node's namespace, and its service account the node's SERVICE_ACCOUNT
 * metadata when the node sets it. Istio skips the namespace check when the
 * node names no namespace at all; tsiod then serves the node as namespace
 * "default", so it checks against that, the namespace it will really serve.
 */
export function checkConnectionIdentity(proxy: ProxyNode, identity: VerifiedIdentity): void {
  const who = `authenticated as ${identity.namespace}/${identity.serviceAccount}`;
  if (identity.namespace !== proxy.namespace) {
    throw new StreamPermissionDenied(`authorization failed: ${who}, but node "${proxy.id}" is in namespace "${proxy.namespace}"`);
  }
  if (proxy.serviceAccount !== undefined && proxy.serviceAccount !== identity.serviceAccount) {
    throw new StreamPermissionDenied(`authorization failed: ${who}, but node "${proxy.id}" has SERVICE_ACCOUNT "${proxy.serviceAccount}"`);
  }
}

/**
 * Bearer tokens judged by the Kubernetes API server: a TokenReview
 * (authentication.k8s.io/v1) for audience istio-ca, accepted only when the
 * apiserver authenticates it as a service account (group
 * system:serviceaccounts, user system:serviceaccount:<ns>:<sa>) and confirms
 * the audience, as istiod's KubeJWTAuthenticator / tokenreview.ValidateK8sJwt.
 * An apiserver that cannot answer is 'unavailable' (retry), not a refusal.
 */
import { AuthenticationV1Api, type KubeConfig, type V1TokenReview } from '@kubernetes/client-node';
import { AuthenticationError, type AuthenticatedCaller, type Authenticator, type CallerCredentials } from './authenticator.js';
import { looksLikeBearerToken, parseServiceAccountUsername } from './service-account-name.js';

export const ISTIO_CA_AUDIENCE = 'istio-ca';
const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

export interface KubernetesTokenAuthenticatorOptions {
  /** Audiences the token must carry one of (istiod's TOKEN_AUDIENCES); default ["istio-ca"]. */
  readonly audiences?: readonly string[];
  /** How long a TokenReview may take before the caller is told to retry; default 10 s. */
  readonly timeoutMs?: number;
}

/** The review call, injectable so the apiserver client is made once per KubeConfig. */
export type TokenReviewer = (review: V1TokenReview) => Promise<V1TokenReview>;

export function tokenReviewerFor(kubeConfig: KubeConfig): TokenReviewer {
  const api = kubeConfig.makeApiClient(AuthenticationV1Api);
  return (body) => api.createTokenReview({ body });
}

export class KubernetesTokenAuthenticator implements Authenticator {
  readonly kind = 'kubernetes-token';
  private readonly review: TokenReviewer;
  private readonly audiences: readonly string[];
  private readonly timeoutMs: number;

  constructor(kube: KubeConfig | TokenReviewer, options: KubernetesTokenAuthenticatorOptions = {}) {
    this.review = typeof kube === 'function' ? kube : tokenReviewerFor(kube);
    this.audiences = options.audiences?.length ? [...options.audiences] : [ISTIO_CA_AUDIENCE];
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async authenticate(credentials: CallerCredentials): Promise<AuthenticatedCaller | undefined> {
    const token = credentials.bearerToken;
    if (token === undefined) return undefined;
    if (!looksLikeBearerToken(token)) throw new AuthenticationError('invalid-token', 'the bearer token is malformed');

    const result = await this.reviewWithin({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token, audiences: [...this.audiences] },
    });
    const status = result.status;
    if (!status?.authenticated) {
      const said = status?.error ?? '';
      if (/expired/i.test(said)) throw new AuthenticationError('expired-token', 'the Kubernetes token has expired', said);
      if (/audience/i.test(said)) throw new AuthenticationError('wrong-audience', `the Kubernetes token is not for audience ${this.audiences.join(' or ')}`, said);
      throw new AuthenticationError('invalid-token', 'the Kubernetes API server did not authenticate the token', said || undefined);
    }
    // The apiserver returns the intersection of our audiences and the token's; an empty one means it ignored ours.
    if (!(status.audiences ?? []).some((a) => this.audiences.includes(a))) {
      throw new AuthenticationError('wrong-audience', `the Kubernetes token is not for audience ${this.audiences.join(' or ')}`,
        `TokenReview status.audiences=${JSON.stringify(status.audiences ?? [])}`);
    }
    const user = status.user;
    if (!(user?.groups ?? []).includes(SERVICE_ACCOUNTS_GROUP)) {
      throw new AuthenticationError('not-a-service-account', 'the token does not belong to a Kubernetes service account', `user ${user?.username ?? '(none)'}`);
    }
    const account = parseServiceAccountUsername(user?.username ?? '');
    if (!account) {
      throw new AuthenticationError('not-a-service-account', 'the token does not belong to a Kubernetes service account', `user ${user?.username ?? '(none)'}`);
    }
    return { ...account, via: 'kubernetes-token' };
  }

  private async reviewWithin(body: V1TokenReview): Promise<V1TokenReview> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([this.review(body), timeout]);
    } catch (error) {
      throw new AuthenticationError('unavailable', 'the Kubernetes API server could not review the token; retry later', `TokenReview failed: ${describeApiError(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The apiserver's answer to a failed request, without echoing our request body (which holds the token). */
function describeApiError(error: unknown): string {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    // ApiException messages embed the response body, never the request; cut them short all the same.
    const short = message.length > 300 ? `${message.slice(0, 300)}…` : message;
    return typeof code === 'number' ? `HTTP ${code}: ${short}` : short;
  }
  return String(error);
}

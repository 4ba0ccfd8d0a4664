/**
 * Kubernetes names as they arrive in tokens: a namespace (DNS-1123 label) and
 * a service account (DNS-1123 subdomain). Checked before they become part of a
 * SPIFFE URI, so a crafted claim such as "x/ns/kube-system" cannot smuggle a
 * path segment into someone else's identity.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isNamespaceName(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

export function isServiceAccountName(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

export interface ServiceAccountRef {
  readonly namespace: string;
  readonly serviceAccount: string;
}

const USERNAME_PREFIX = 'system:serviceaccount:';

/**
 * The namespace and service account of a Kubernetes service-account username
 * (`system:serviceaccount:<ns>:<sa>`), or undefined for any other user or a
 * malformed name.
 */
export function parseServiceAccountUsername(username: string): ServiceAccountRef | undefined {
  if (!username.startsWith(USERNAME_PREFIX)) return undefined;
  const parts = username.slice(USERNAME_PREFIX.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, serviceAccount] = parts as [string, string];
  if (!isNamespaceName(namespace) || !isServiceAccountName(serviceAccount)) return undefined;
  return { namespace, serviceAccount };
}

export function serviceAccountUsername(ref: ServiceAccountRef): string {
  return `${USERNAME_PREFIX}${ref.namespace}:${ref.serviceAccount}`;
}

/** RFC 6750's b64token characters: anything else cannot be a bearer token, so it is refused before any network call. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Far above any real service-account token (~1 KiB), far below what would burden a TokenReview. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

export function looksLikeBearerToken(token: string): boolean {
  return token.length > 0 && token.length <= MAX_TOKEN_LENGTH && B64TOKEN.test(token);
}

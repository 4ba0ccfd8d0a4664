/**
 * SPIFFE identities as Istio writes them: spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>.
 * The format and its parsing follow istio's pkg/spiffe (exactly five path segments,
 * the literal "ns" and "sa" in between).
 */

export interface SpiffeIdentity {
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

const PREFIX = 'spiffe://';
/** No separators, whitespace or URI syntax characters inside a segment: the URI must read back as the same identity. */
const SEGMENT = /^[^\s/?#%@:]+$/;

/** Istio replaces '@' in trust domains (some environments use emails as domains) with '.'. */
function sanitizeTrustDomain(trustDomain: string): string {
  return trustDomain.replaceAll('@', '.');
}

/** The SPIFFE URI of an identity; throws when a part is empty or would not survive a round trip. */
export function spiffeUri(id: SpiffeIdentity): string {
  const trustDomain = sanitizeTrustDomain(id.trustDomain);
  for (const [what, value] of [
    ['trust domain', trustDomain],
    ['namespace', id.namespace],
    ['service account', id.serviceAccount],
  ] as const) {
    if (!SEGMENT.test(value)) throw new Error(`invalid SPIFFE identity: ${what} ${JSON.stringify(value)} is empty or contains a reserved character`);
  }
  return `${PREFIX}${trustDomain}/ns/${id.namespace}/sa/${id.serviceAccount}`;
}

/** The identity in a SPIFFE URI of Istio's form, or undefined for anything else. */
export function parseSpiffeUri(uri: string): SpiffeIdentity | undefined {
  if (!uri.startsWith(PREFIX)) return undefined;
  const parts = uri.slice(PREFIX.length).split('/');
  if (parts.length !== 5) return undefined;
  const [trustDomain = '', ns, namespace = '', sa, serviceAccount = ''] = parts;
  if (ns !== 'ns' || sa !== 'sa') return undefined;
  if (![trustDomain, namespace, serviceAccount].every((p) => SEGMENT.test(p))) return undefined;
  return { trustDomain, namespace, serviceAccount };
}

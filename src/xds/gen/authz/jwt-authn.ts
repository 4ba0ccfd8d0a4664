/**
 * RequestAuthentications into Envoy's jwt_authn filter (Istio's
 * convertToEnvoyJwtConfig). Each JWT rule is a provider "origins-<i>"
 * (rules sorted by issuer). The requirement lets a request through
 * without a token, and with a token only if some provider verifies it:
 * a bad token is rejected (401), a missing one is left to authorization
 * policies, which see a verified token's payload in the filter's dynamic
 * metadata under "payload" (request.auth.* attributes).
 *
 * Where the keys come from: inline `jwks` as given; `jwksUri` fetched by
 * Envoy through the outbound cluster of the URI's host and port (Istio's
 * PILOT_JWT_ENABLE_REMOTE_JWKS=envoy behaviour; a host that is not a mesh
 * service, e.g. without a ServiceEntry, names a cluster that does not
 * exist and tokens then fail to verify). tsiod does not fetch keys itself,
 * so a rule with an issuer only (Istio would find its keys by OpenID
 * discovery) gets a key set no token can verify against: it fails closed.
 */
import type { MeshService } from '../../../model/types.js';
import { outboundClusterName } from '../common/cluster-names.js';
import { parseGoDuration, secondsDuration, type ProtoDuration } from '../common/duration.js';
import { JWT_AUTHN_FILTER, JWT_AUTHN_TYPE, JWT_PAYLOAD_METADATA_KEY } from './filter-names.js';
import { lookupCluster } from './lookup-cluster.js';
import type { EnvoyMessage } from './matchers.js';
import type { JwtRule } from './policy-spec.js';

const DEFAULT_FETCH_TIMEOUT_SECONDS = 5;
const JWKS_CACHE_SECONDS = 5 * 60;
/** Always space-delimited in Istio (buildSpaceDelimitedClaims): OAuth scopes and permissions. */
const DEFAULT_SPACE_DELIMITED_CLAIMS = ['permission', 'scope'];

/**
 * An RSA public key whose private half was discarded when it was made:
 * nobody can sign a token it verifies. Used where the real keys would have
 * to be fetched by the control plane.
 */
export const UNVERIFIABLE_JWKS = JSON.stringify({
  keys: [
    {
      kty: 'RSA',
      e: 'AQAB',
      n: 'y1d_1Zb7rfA7XmDkXAePUAmsmkVHkgWu0YlDcT53rpynWkF-rJN-yGxAiqQ_WVg7rHVIXILpsbncTloMxt19t9N8R23c-Z3McHo2cxACsnr3aKtieuTo3Jmkm0etZ0SYY1Ky1ArK2zl-mAOdAAIvB8oTL-zZJ1t8DGjToJcEfBtMVQ9g6Q26JukUoyKvcFukOzxwJsFNjXdyuUp60q_Ry6DSCySHRNe6HIaCeBRa5ALtwe4ILZvjxjW0GjaYEtaD8RnVsOEVi60QzkS7ktFRSKX1fMzm0yidw__EeDWyaMs1-mGfXo0i2OqWgEKdj1ZdHjSVCVCReiYbKbynZtt-Ow',
    },
  ],
});

/** Istio's ParseJwksURI: scheme http or https (default ports 80 and 443), host, port. */
export function jwksUriTarget(uri: string): { readonly host: string; readonly port: number } | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { host, port: url.port === '' ? (scheme === 'http' ? 80 : 443) : Number(url.port) };
}

function jwksSource(rule: JwtRule, timeout: ProtoDuration, services: ReadonlyMap<string, MeshService>): EnvoyMessage {
  const target = rule.jwksUri ? jwksUriTarget(rule.jwksUri) : undefined;
  if (rule.jwksUri && target) {
    const found = lookupCluster(services, target.host, target.port);
    const cluster = 'cluster' in found ? found.cluster : outboundClusterName(target.host, target.port);
    return { remoteJwks: { httpUri: { uri: rule.jwksUri, cluster, timeout }, cacheDuration: secondsDuration(JWKS_CACHE_SECONDS) } };
  }
  return { localJwks: { inlineString: rule.jwks ? rule.jwks : UNVERIFIABLE_JWKS } };
}

function spaceDelimitedClaims(extra: readonly string[] | undefined): string[] {
  if (!extra) return [...DEFAULT_SPACE_DELIMITED_CLAIMS];
  return [...new Set([...extra, ...DEFAULT_SPACE_DELIMITED_CLAIMS])].sort();
}

function provider(rule: JwtRule, clearRouteCache: boolean, services: ReadonlyMap<string, MeshService>): EnvoyMessage {
  const out: EnvoyMessage = {};
  if (rule.issuer) out['issuer'] = rule.issuer;
  if (rule.audiences && rule.audiences.length > 0) out['audiences'] = [...rule.audiences];
  if (rule.forwardOriginalToken) out['forward'] = true;
  if (rule.outputPayloadToHeader) out['forwardPayloadHeader'] = rule.outputPayloadToHeader;
  out['payloadInMetadata'] = JWT_PAYLOAD_METADATA_KEY;
  out['normalizePayloadInMetadata'] = { spaceDelimitedClaims: spaceDelimitedClaims(rule.spaceDelimitedClaims) };
  if (clearRouteCache) out['clearRouteCache'] = true;
  if (rule.outputClaimToHeaders && rule.outputClaimToHeaders.length > 0) {
    out['claimToHeaders'] = rule.outputClaimToHeaders.map((c) => ({ headerName: c.header, claimName: c.claim }));
  }
  if (rule.fromHeaders && rule.fromHeaders.length > 0) {
    out['fromHeaders'] = rule.fromHeaders.map((h) => (h.prefix ? { name: h.name, valuePrefix: h.prefix } : { name: h.name }));
  }
  if (rule.fromParams && rule.fromParams.length > 0) out['fromParams'] = [...rule.fromParams];
  if (rule.fromCookies && rule.fromCookies.length > 0) out['fromCookies'] = [...rule.fromCookies];
  const timeout = (rule.timeout !== undefined ? parseGoDuration(rule.timeout) : undefined) ?? secondsDuration(DEFAULT_FETCH_TIMEOUT_SECONDS);
  Object.assign(out, jwksSource(rule, timeout, services));
  return out;
}

/**
 * The jwt_authn filter for the JWT rules of every RequestAuthentication
 * that applies, or undefined when there are none. Gateways clear the route
 * cache after verification (`clearRouteCache`), so routes can match on
 * claims copied to headers.
 */
export function jwtAuthnFilter(rules: readonly JwtRule[], clearRouteCache: boolean, services: ReadonlyMap<string, MeshService>): EnvoyMessage | undefined {
  if (rules.length === 0) return undefined;
  const sorted = [...rules].sort((a, b) => ((a.issuer ?? '') < (b.issuer ?? '') ? -1 : (a.issuer ?? '') > (b.issuer ?? '') ? 1 : 0));
  const providers: Record<string, EnvoyMessage> = {};
  const eachOrMissing: EnvoyMessage[] = [];
  const anyProvider: EnvoyMessage[] = [];
  sorted.forEach((rule, i) => {
    const name = `origins-${i}`;
    providers[name] = provider(rule, clearRouteCache, services);
    eachOrMissing.push({ requiresAny: { requirements: [{ providerName: name }, { allowMissing: {} }] } });
    anyProvider.push({ providerName: name });
  });
  // With several providers: any one verifying the token, or each of them verifying or finding nothing in its own location.
  // The first alternative covers providers that share a location, where the AND of the second would always fail.
  const requires = eachOrMissing.length === 1 ? eachOrMissing[0] : { requiresAny: { requirements: [...anyProvider, { requiresAll: { requirements: eachOrMissing } }] } };
  return {
    name: JWT_AUTHN_FILTER,
    typedConfig: { '@type': JWT_AUTHN_TYPE, providers, rules: [{ match: { prefix: '/' }, requires }], bypassCorsPreflight: true },
  };
}

/**
 * RequestAuthentication JWT rules as Envoy's jwt_authn filter, as Istio
 * builds it (pilot/pkg/security/authn/policy_applier.go): providers
 * "origins-<i>" sorted by issuer, a requirement that lets requests without
 * a token through and rejects a token no provider verifies, the payload
 * in dynamic metadata for RBAC, and where the keys come from.
 */
import { describe, expect, it } from 'vitest';
import type { MeshService } from '../../../../src/model/types.js';
import { jwksUriTarget, jwtAuthnFilter, UNVERIFIABLE_JWKS } from '../../../../src/xds/gen/authz/jwt-authn.js';

type Json = Record<string, unknown>;

const JWKS = '{"keys":[{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}]}';

const jwksService: MeshService = {
  hostname: 'jwks.foo.svc.cluster.local',
  name: 'jwks',
  namespace: 'foo',
  ports: [],
  labels: {},
  origin: 'kubernetes',
  resolution: 'EDS',
  meshExternal: false,
  exportTo: ['*'],
};
const services = new Map([[jwksService.hostname, jwksService]]);

function typedConfig(filter: Json | undefined): Json {
  return (filter?.['typedConfig'] ?? {}) as Json;
}

describe('jwt_authn', () => {
  it('is absent without JWT rules', () => {
    expect(jwtAuthnFilter([], false, services)).toBeUndefined();
  });

  it('one rule: the token, if any, must be verified by its provider; the payload goes to metadata "payload"', () => {
    const filter = jwtAuthnFilter([{ issuer: 'https://issuer.example.com', jwks: JWKS, audiences: ['api'] }], false, services);
    expect(filter?.['name']).toBe('envoy.filters.http.jwt_authn');
    expect(typedConfig(filter)).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication',
      providers: {
        'origins-0': {
          issuer: 'https://issuer.example.com',
          audiences: ['api'],
          payloadInMetadata: 'payload',
          normalizePayloadInMetadata: { spaceDelimitedClaims: ['permission', 'scope'] },
          localJwks: { inlineString: JWKS },
        },
      },
      rules: [{ match: { prefix: '/' }, requires: { requiresAny: { requirements: [{ providerName: 'origins-0' }, { allowMissing: {} }] } } }],
      bypassCorsPreflight: true,
    });
  });

  it('several rules: sorted by issuer; any provider verifying, or each verifying-or-missing', () => {
    const config = typedConfig(jwtAuthnFilter([{ issuer: 'b', jwks: JWKS }, { issuer: 'a', jwks: JWKS }], false, services));
    expect(Object.entries(config['providers'] as Json).map(([name, p]) => [name, (p as Json)['issuer']])).toEqual([
      ['origins-0', 'a'],
      ['origins-1', 'b'],
    ]);
    expect((config['rules'] as Json[])[0]?.['requires']).toEqual({
      requiresAny: {
        requirements: [
          { providerName: 'origins-0' },
          { providerName: 'origins-1' },
          {
            requiresAll: {
              requirements: [
                { requiresAny: { requirements: [{ providerName: 'origins-0' }, { allowMissing: {} }] } },
                { requiresAny: { requirements: [{ providerName: 'origins-1' }, { allowMissing: {} }] } },
              ],
            },
          },
        ],
      },
    });
  });

  it('token locations, forwarding and claims copied to headers', () => {
    const provider = (typedConfig(
      jwtAuthnFilter(
        [
          {
            issuer: 'i',
            jwks: JWKS,
            fromHeaders: [{ name: 'x-jwt', prefix: 'Bearer ' }, { name: 'x-raw' }],
            fromParams: ['token'],
            fromCookies: ['session'],
            outputPayloadToHeader: 'x-payload',
            forwardOriginalToken: true,
            outputClaimToHeaders: [{ header: 'x-sub', claim: 'sub' }],
            spaceDelimitedClaims: ['roles', 'scope'],
          },
        ],
        false,
        services,
      ),
    )['providers'] as Json)['origins-0'];
    expect(provider).toMatchObject({
      forward: true,
      forwardPayloadHeader: 'x-payload',
      fromHeaders: [{ name: 'x-jwt', valuePrefix: 'Bearer ' }, { name: 'x-raw' }],
      fromParams: ['token'],
      fromCookies: ['session'],
      claimToHeaders: [{ headerName: 'x-sub', claimName: 'sub' }],
      normalizePayloadInMetadata: { spaceDelimitedClaims: ['permission', 'roles', 'scope'] },
    });
  });

  it('a jwksUri is fetched by Envoy through the outbound cluster of its host and port', () => {
    const provider = (typedConfig(jwtAuthnFilter([{ issuer: 'i', jwksUri: 'http://jwks.foo.svc.cluster.local:8080/keys', timeout: '2s' }], false, services))['providers'] as Json)['origins-0'] as Json;
    expect(provider['remoteJwks']).toEqual({
      httpUri: { uri: 'http://jwks.foo.svc.cluster.local:8080/keys', cluster: 'outbound|8080||jwks.foo.svc.cluster.local', timeout: { seconds: 2 } },
      cacheDuration: { seconds: 300 },
    });
    // A host the mesh does not know still names the cluster a ServiceEntry for it would have (https: port 443).
    const external = (typedConfig(jwtAuthnFilter([{ issuer: 'i', jwksUri: 'https://login.example.com/keys' }], false, services))['providers'] as Json)['origins-0'] as Json;
    expect(external['remoteJwks']).toMatchObject({ httpUri: { cluster: 'outbound|443||login.example.com', timeout: { seconds: 5 } } });
  });

  it('an issuer without keys (Istio would discover them) fails closed: no token verifies', () => {
    const provider = (typedConfig(jwtAuthnFilter([{ issuer: 'https://nokeys.example.com' }], false, services))['providers'] as Json)['origins-0'] as Json;
    expect(provider['localJwks']).toEqual({ inlineString: UNVERIFIABLE_JWKS });
    const keys = (JSON.parse(UNVERIFIABLE_JWKS) as { keys: Json[] }).keys;
    expect(keys).toHaveLength(1);
    // A public key only: none of the private RSA parameters.
    for (const privateField of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(keys[0]).not.toHaveProperty(privateField);
  });

  it('gateways clear the route cache after verification; sidecars do not', () => {
    const provider = (gateway: boolean): Json => (typedConfig(jwtAuthnFilter([{ issuer: 'i', jwks: JWKS }], gateway, services))['providers'] as Json)['origins-0'] as Json;
    expect(provider(true)['clearRouteCache']).toBe(true);
    expect(provider(false)).not.toHaveProperty('clearRouteCache');
  });
});

describe('jwksUriTarget (Istio\'s ParseJwksURI)', () => {
  it.each([
    ['https://example.com/keys', { host: 'example.com', port: 443 }],
    ['http://example.com/keys', { host: 'example.com', port: 80 }],
    ['https://example.com:8443/keys', { host: 'example.com', port: 8443 }],
    ['http://[::1]:8080/keys', { host: '::1', port: 8080 }],
  ])('%s', (uri, expected) => {
    expect(jwksUriTarget(uri)).toEqual(expected);
  });

  it('refuses other schemes', () => {
    expect(jwksUriTarget('ftp://example.com/keys')).toBeUndefined();
  });
});

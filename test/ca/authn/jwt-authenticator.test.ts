import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, UnsecuredJWT, base64url, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateCaller, AuthenticationError, type AuthenticationFailure } from '../../../src/ca/authn/authenticator.js';
import { JwtAuthenticator } from '../../../src/ca/authn/jwt-authenticator.js';
import { parseJwtRule } from '../../../src/ca/authn/jwt-rule.js';

const ISSUER = 'https://issuer.test.example';

function ecKey(): { privateKey: KeyObject; jwk: JWK } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' } as JWK };
}

const now = (): number => Math.floor(Date.now() / 1000);

interface TokenParts {
  iss?: string;
  aud?: string | string[];
  sub?: string;
  exp?: number;
  nbf?: number;
  claims?: Record<string, unknown>;
  key?: KeyObject;
  kid?: string;
}

function token(key: KeyObject, parts: TokenParts = {}): Promise<string> {
  const jwt = new SignJWT(parts.claims ?? {})
    .setProtectedHeader({ alg: 'ES256', kid: parts.kid ?? 'k1' })
    .setIssuer(parts.iss ?? ISSUER)
    .setAudience(parts.aud ?? 'istio-ca')
    .setSubject(parts.sub ?? 'system:serviceaccount:ns-a:sa-a')
    .setIssuedAt()
    .setExpirationTime(parts.exp ?? now() + 600);
  if (parts.nbf !== undefined) jwt.setNotBefore(parts.nbf);
  return jwt.sign(parts.key ?? key);
}

async function refusal(authenticator: JwtAuthenticator, bearerToken: string): Promise<AuthenticationFailure> {
  try {
    await authenticateCaller([authenticator], { bearerToken, peer: 'test' });
  } catch (error) {
    if (error instanceof AuthenticationError) return error.reason;
    throw error;
  }
  throw new Error('the token was accepted');
}

describe('JwtAuthenticator', () => {
  const signer = ecKey();
  const other = ecKey();
  let dir: string;
  let authenticator: JwtAuthenticator;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-jwt-'));
    const jwksFile = path.join(dir, 'jwks.json');
    await writeFile(jwksFile, JSON.stringify({ keys: [signer.jwk] }));
    authenticator = await JwtAuthenticator.fromRule(parseJwtRule(`issuer=${ISSUER},jwks=${jwksFile},audiences=istio-ca`));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('accepts a signed token and takes the identity from sub', async () => {
    const caller = await authenticateCaller([authenticator], { bearerToken: await token(signer.privateKey), peer: 'test' });
    expect(caller).toEqual({ namespace: 'ns-a', serviceAccount: 'sa-a', via: 'jwt' });
  });

  it('takes the identity from the kubernetes.io claims of a projected token', async () => {
    const t = await token(signer.privateKey, { sub: 'system:serviceaccount:ns-b:sa-b', claims: { 'kubernetes.io': { namespace: 'ns-b', serviceaccount: { name: 'sa-b', uid: 'u' } } } });
    expect(await authenticateCaller([authenticator], { bearerToken: t, peer: 'test' })).toMatchObject({ namespace: 'ns-b', serviceAccount: 'sa-b' });
  });

  it('refuses kubernetes.io claims that disagree with sub', async () => {
    const t = await token(signer.privateKey, { sub: 'system:serviceaccount:ns-b:sa-b', claims: { 'kubernetes.io': { namespace: 'kube-system', serviceaccount: { name: 'admin' } } } });
    expect(await refusal(authenticator, t)).toBe('not-a-service-account');
  });

  it('refuses a sub that is not a service account, or smuggles a path into the identity', async () => {
    expect(await refusal(authenticator, await token(signer.privateKey, { sub: 'alice@example.com' }))).toBe('not-a-service-account');
    expect(await refusal(authenticator, await token(signer.privateKey, { sub: 'system:serviceaccount:ns-a:sa/ns/kube-system' }))).toBe('not-a-service-account');
  });

  it('refuses a forged signature (another key claiming the same kid)', async () => {
    expect(await refusal(authenticator, await token(signer.privateKey, { key: other.privateKey }))).toBe('invalid-token');
  });

  it('refuses a token whose payload was altered after signing', async () => {
    const [header, , signature] = (await token(signer.privateKey)).split('.');
    const payload = base64url.encode(JSON.stringify({ iss: ISSUER, aud: 'istio-ca', sub: 'system:serviceaccount:kube-system:admin', exp: now() + 600 }));
    expect(await refusal(authenticator, `${header}.${payload}.${signature}`)).toBe('invalid-token');
  });

  it('does not judge another issuer\'s token, so with no other authenticator it is refused as unknown', async () => {
    const t = await token(signer.privateKey, { iss: 'https://evil.example' });
    expect(await authenticator.authenticate({ bearerToken: t, peer: 'test' })).toBeUndefined();
    expect(await refusal(authenticator, t)).toBe('invalid-token');
  });

  it('refuses a token for another audience', async () => {
    expect(await refusal(authenticator, await token(signer.privateKey, { aud: 'kubernetes' }))).toBe('wrong-audience');
  });

  it('refuses an expired token and one not yet valid', async () => {
    expect(await refusal(authenticator, await token(signer.privateKey, { exp: now() - 3600 }))).toBe('expired-token');
    expect(await refusal(authenticator, await token(signer.privateKey, { nbf: now() + 3600 }))).toBe('invalid-token');
  });

  it('refuses a token with no exp', async () => {
    const t = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(ISSUER).setAudience('istio-ca').setSubject('system:serviceaccount:a:b').sign(signer.privateKey);
    expect(await refusal(authenticator, t)).toBe('invalid-token');
  });

  it('refuses alg "none"', async () => {
    const t = new UnsecuredJWT({}).setIssuer(ISSUER).setAudience('istio-ca').setSubject('system:serviceaccount:ns-a:sa-a').setExpirationTime(now() + 600).encode();
    expect(await refusal(authenticator, t)).toBe('invalid-token');
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(signer.jwk));
    const t = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).setIssuer(ISSUER).setAudience('istio-ca')
      .setSubject('system:serviceaccount:ns-a:sa-a').setExpirationTime(now() + 600).sign(secret);
    expect(await refusal(authenticator, t)).toBe('invalid-token');
  });

  it('ignores garbage and oversized bearer values (not a JWT: not its to judge)', async () => {
    for (const bearerToken of ['garbage', 'a.b.c', 'x'.repeat(100_000), '\u0000\u0001']) {
      expect(await authenticator.authenticate({ bearerToken, peer: 'test' })).toBeUndefined();
    }
  });

  it('names the JWKS file in the error when it cannot be read', async () => {
    await expect(JwtAuthenticator.fromRule(parseJwtRule(`issuer=${ISSUER},jwks=${path.join(dir, 'missing.json')}`))).rejects.toThrow(/cannot read JWKS file .*missing\.json: ENOENT/);
  });
});

describe('JwtAuthenticator with a JWKS URL', () => {
  const signer = ecKey();
  let server: http.Server;
  let url: string;
  let up = true;

  beforeAll(async () => {
    server = http.createServer((_request, response) => {
      if (!up) {
        response.writeHead(503).end('down');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [signer.jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error('no address');
    url = `http://127.0.0.1:${address.port}/keys`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fetches the issuer\'s keys and verifies with them', async () => {
    const authenticator = await JwtAuthenticator.fromRule(parseJwtRule(`issuer=${ISSUER},jwks=${url}`));
    expect(await authenticateCaller([authenticator], { bearerToken: await token(signer.privateKey), peer: 'test' })).toMatchObject({ namespace: 'ns-a', via: 'jwt' });
  });

  it('reports an unreachable key set as unavailable, not as a bad token', async () => {
    up = false;
    try {
      const authenticator = await JwtAuthenticator.fromRule(parseJwtRule(`issuer=${ISSUER},jwks=${url}`));
      expect(await refusal(authenticator, await token(signer.privateKey))).toBe('unavailable');
    } finally {
      up = true;
    }
  });
});

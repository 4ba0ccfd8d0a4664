import { createPublicKey, verify } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authenticateCaller, AuthenticationError } from '../../../src/ca/authn/authenticator.js';
import { LOCAL_TOKEN_ISSUER, LOCAL_TOKEN_KEY_FILE, LocalTokenIssuer } from '../../../src/ca/authn/local-token-issuer.js';

function decodePart(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('LocalTokenIssuer', () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'tsiod-local-issuer-')), 'state');
  });
  afterEach(async () => rm(path.dirname(stateDir), { recursive: true, force: true }));

  it('keeps its signing key in the state directory, readable by its owner only', async () => {
    const issuer = await LocalTokenIssuer.open(stateDir);
    expect(issuer.keyPath).toBe(path.join(stateDir, LOCAL_TOKEN_KEY_FILE));
    expect((await stat(issuer.keyPath)).mode & 0o777).toBe(0o600);
    expect(await readFile(issuer.keyPath, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    // No temporary file is left behind.
    expect(await readdir(stateDir)).toEqual([LOCAL_TOKEN_KEY_FILE]);
  });

  it('mints an ES256 JWT that Node verifies against the published JWKS, with Istio\'s claims', async () => {
    const issuer = await LocalTokenIssuer.open(stateDir);
    const jwt = await issuer.mint({ namespace: 'ns-a', serviceAccount: 'sa-a', ttlSeconds: 600 });
    const [h, p, s] = jwt.split('.');
    const header = decodePart(h);
    const payload = decodePart(p);
    expect(header['alg']).toBe('ES256');
    const jwk = issuer.jwks().keys.find((k) => k.kid === header['kid']);
    expect(jwk).toBeDefined();
    expect(jwk).not.toHaveProperty('d');
    const valid = verify('sha256', Buffer.from(`${h}.${p}`), { key: createPublicKey({ key: jwk as never, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(s ?? '', 'base64url'));
    expect(valid).toBe(true);
    expect(payload).toMatchObject({ iss: LOCAL_TOKEN_ISSUER, aud: 'istio-ca', sub: 'system:serviceaccount:ns-a:sa-a', 'kubernetes.io': { namespace: 'ns-a', serviceaccount: { name: 'sa-a' } } });
    expect(Number(payload['exp']) - Number(payload['iat'])).toBe(600);
  });

  it('is accepted by its own authenticator, and by the one of a second process on the same state dir', async () => {
    const issuer = await LocalTokenIssuer.open(stateDir);
    const jwt = await issuer.mint({ namespace: 'bookinfo', serviceAccount: 'reviews', ttlSeconds: 60 });
    const reopened = await LocalTokenIssuer.open(stateDir);
    for (const authenticator of [issuer.authenticator(), reopened.authenticator()]) {
      expect(await authenticateCaller([authenticator], { bearerToken: jwt, peer: 'test' })).toEqual({ namespace: 'bookinfo', serviceAccount: 'reviews', via: 'jwt' });
    }
  });

  it('agrees on one key when several open a fresh state dir at once', async () => {
    const issuers = await Promise.all(Array.from({ length: 8 }, () => LocalTokenIssuer.open(stateDir)));
    const kids = new Set(issuers.map((i) => i.jwks().keys[0]?.kid));
    expect(kids.size).toBe(1);
    expect(await readdir(stateDir)).toEqual([LOCAL_TOKEN_KEY_FILE]);
  });

  it('refuses tokens from another state dir\'s issuer', async () => {
    const ours = await LocalTokenIssuer.open(stateDir);
    const theirs = await LocalTokenIssuer.open(`${stateDir}-other`);
    try {
      const jwt = await theirs.mint({ namespace: 'ns-a', serviceAccount: 'sa-a', ttlSeconds: 60 });
      await expect(authenticateCaller([ours.authenticator()], { bearerToken: jwt, peer: 'test' })).rejects.toMatchObject({ reason: 'invalid-token' });
    } finally {
      await rm(`${stateDir}-other`, { recursive: true, force: true });
    }
  });

  it('refuses an expired token of its own', async () => {
    let clock = new Date('2020-01-01T00:00:00Z');
    const issuer = await LocalTokenIssuer.open(stateDir, { now: () => clock });
    const jwt = await issuer.mint({ namespace: 'ns-a', serviceAccount: 'sa-a', ttlSeconds: 60 });
    clock = new Date();
    const error = await authenticateCaller([issuer.authenticator()], { bearerToken: jwt, peer: 'test' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).reason).toBe('expired-token');
  });

  it('refuses a key file others can read, saying how to fix it', async () => {
    const issuer = await LocalTokenIssuer.open(stateDir);
    await chmod(issuer.keyPath, 0o644);
    await expect(LocalTokenIssuer.open(stateDir)).rejects.toThrow(/accessible to other users \(mode 644\); run: chmod 600/);
  });

  it('refuses names that are not Kubernetes names and lifetimes out of range', async () => {
    const issuer = await LocalTokenIssuer.open(stateDir);
    await expect(issuer.mint({ namespace: 'Bad_NS', serviceAccount: 'sa', ttlSeconds: 60 })).rejects.toThrow(/namespace "Bad_NS"/);
    await expect(issuer.mint({ namespace: 'ns', serviceAccount: 'sa/ns/x', ttlSeconds: 60 })).rejects.toThrow(/service account "sa\/ns\/x"/);
    await expect(issuer.mint({ namespace: 'ns', serviceAccount: 'sa', ttlSeconds: 0 })).rejects.toThrow(/out of range/);
  });
});

/**
 * tsiod's own token issuer for file mode, where there is no Kubernetes API
 * server to review tokens: an ES256 key kept in the state directory (0600)
 * signs JWTs for a namespace and service account (`tsiod token create`), and
 * a JwtAuthenticator over its public key accepts exactly those tokens. The
 * tokens look like projected service-account tokens (sub and kubernetes.io
 * claims), issuer "tsiod-local", audience istio-ca.
 */
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, createLocalJWKSet, importPKCS8, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import { JwtAuthenticator } from './jwt-authenticator.js';
import { isNamespaceName, isServiceAccountName, serviceAccountUsername } from './service-account-name.js';
import { ISTIO_CA_AUDIENCE } from './kubernetes-token-authenticator.js';

export const LOCAL_TOKEN_ISSUER = 'tsiod-local';
export const LOCAL_TOKEN_KEY_FILE = 'token-signing-key.pem';
const ALGORITHM = 'ES256';
/** A local token is a convenience for development; a year is more than any use of it should need. */
export const MAX_LOCAL_TOKEN_TTL_SECONDS = 365 * 24 * 3600;

export interface MintRequest {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly ttlSeconds: number;
}

export class LocalTokenIssuer {
  private constructor(
    private readonly signingKey: CryptoKey,
    private readonly publicJwk: JWK,
    /** Where the key lives, for messages. */
    readonly keyPath: string,
    private readonly now: () => Date,
  ) {}

  /**
   * The issuer of a state directory, creating its key on first use. Two
   * processes starting at once agree on one key: it is linked into place only
   * if absent.
   */
  static async open(stateDir: string, options: { now?: () => Date } = {}): Promise<LocalTokenIssuer> {
    const keyPath = path.join(stateDir, LOCAL_TOKEN_KEY_FILE);
    const pem = await readOrCreateKey(stateDir, keyPath);
    let signingKey: CryptoKey;
    let publicJwk: JWK;
    try {
      signingKey = await importPKCS8(pem, ALGORITHM);
      const { kty, crv, x, y } = createPublicKey(pem).export({ format: 'jwk' });
      if (kty !== 'EC' || crv !== 'P-256') throw new Error('not P-256');
      publicJwk = { kty, crv, x, y };
    } catch {
      throw new Error(`${keyPath} is not a PKCS#8 P-256 private key; remove it to have a new one made (tokens it signed stop working)`);
    }
    publicJwk.kid = await calculateJwkThumbprint(publicJwk);
    publicJwk.alg = ALGORITHM;
    publicJwk.use = 'sig';
    return new LocalTokenIssuer(signingKey, publicJwk, keyPath, options.now ?? (() => new Date()));
  }

  /** The public key set, as an OIDC provider would publish it. */
  jwks(): JSONWebKeySet {
    return { keys: [{ ...this.publicJwk }] };
  }

  /** An authenticator that accepts this issuer's tokens for audience istio-ca. */
  authenticator(): JwtAuthenticator {
    return new JwtAuthenticator({ issuer: LOCAL_TOKEN_ISSUER, audiences: [ISTIO_CA_AUDIENCE], keys: createLocalJWKSet(this.jwks()) });
  }

  async mint(request: MintRequest): Promise<string> {
    const { namespace, serviceAccount, ttlSeconds } = request;
    if (!isNamespaceName(namespace)) throw new Error(`namespace "${namespace}" is not a Kubernetes namespace name (lower-case letters, digits and '-', at most 63)`);
    if (!isServiceAccountName(serviceAccount)) throw new Error(`service account "${serviceAccount}" is not a Kubernetes name (lower-case letters, digits, '-' and '.')`);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0 || ttlSeconds > MAX_LOCAL_TOKEN_TTL_SECONDS) {
      throw new Error(`token lifetime ${ttlSeconds}s is out of range (1s to ${MAX_LOCAL_TOKEN_TTL_SECONDS}s)`);
    }
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    return new SignJWT({ 'kubernetes.io': { namespace, serviceaccount: { name: serviceAccount } } })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', ...(this.publicJwk.kid ? { kid: this.publicJwk.kid } : {}) })
      .setIssuer(LOCAL_TOKEN_ISSUER)
      .setAudience(ISTIO_CA_AUDIENCE)
      .setSubject(serviceAccountUsername({ namespace, serviceAccount }))
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(issuedAt + ttlSeconds)
      .setJti(randomBytes(12).toString('hex'))
      .sign(this.signingKey);
  }
}

async function readOrCreateKey(stateDir: string, keyPath: string): Promise<string> {
  const existing = await readKey(keyPath);
  if (existing !== undefined) return existing;
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const temporary = path.join(stateDir, `.${LOCAL_TOKEN_KEY_FILE}.${process.pid}.${randomBytes(6).toString('hex')}`);
  await writeFile(temporary, pem, { mode: 0o600, flag: 'wx' });
  try {
    // link() fails if the name exists: the first writer's key stays, a partial file is never visible.
    await link(temporary, keyPath);
    return pem;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot store the token signing key in ${stateDir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    const winner = await readKey(keyPath);
    if (winner === undefined) throw new Error(`${keyPath} appeared and vanished while being created`);
    return winner;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/** The key file's PEM, or undefined if absent; a key others can read is refused, as ssh refuses one. */
async function readKey(keyPath: string): Promise<string | undefined> {
  let mode: number;
  try {
    mode = (await stat(keyPath)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${keyPath}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if ((mode & 0o077) !== 0) {
    throw new Error(`${keyPath} is accessible to other users (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${keyPath}`);
  }
  return readFile(keyPath, 'utf8');
}

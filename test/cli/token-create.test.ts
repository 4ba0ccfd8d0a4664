import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authenticateCaller } from '../../src/ca/authn/authenticator.js';
import { LocalTokenIssuer } from '../../src/ca/authn/local-token-issuer.js';
import { createLocalToken, parseTokenTtl, runTokenCreate } from '../../src/cli/token-create.js';

function decodePart(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('tsiod token create', () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-token-create-'));
  });
  afterEach(async () => rm(stateDir, { recursive: true, force: true }));

  it('prints one line: a JWT the state dir\'s authenticator accepts, living --ttl', async () => {
    let out = '';
    await runTokenCreate({ namespace: 'ns-a', serviceAccount: 'sa-a', ttl: '30m', stateDir }, (t) => { out += t; });
    expect(out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const jwt = out.trim();
    const payload = decodePart(jwt.split('.')[1]);
    expect(Number(payload['exp']) - Number(payload['iat'])).toBe(1800);
    const issuer = await LocalTokenIssuer.open(stateDir);
    expect(await authenticateCaller([issuer.authenticator()], { bearerToken: jwt, peer: 'test' })).toMatchObject({ namespace: 'ns-a', serviceAccount: 'sa-a' });
  });

  it('defaults to a one-hour token', async () => {
    const payload = decodePart((await createLocalToken({ namespace: 'a', serviceAccount: 'b', stateDir })).split('.')[1]);
    expect(Number(payload['exp']) - Number(payload['iat'])).toBe(3600);
  });

  it.each([
    ['1h', 3600],
    ['90m', 5400],
    ['1h30m', 5400],
    ['45s', 45],
    ['120', 120],
  ])('reads --ttl %s as %i seconds', (text, seconds) => {
    expect(parseTokenTtl(text)).toBe(seconds);
  });

  it.each([['soon', /not a duration/], ['0s', /at least 1s/], ['500ms', /at least 1s/], ['9000h', /longer than the 365 days/]])('refuses --ttl %s', (text, message) => {
    expect(() => parseTokenTtl(text)).toThrow(message);
  });
});

/**
 * FileCaStore's compare-and-swap of the self-signed CA (root rotation): a
 * step is written whole as a new generation or not at all, a stale version
 * or a concurrent writer's win leaves what is stored alone, a plain
 * directory made by hand is taken over, and a reader rebuilds exactly what
 * was written, rotation files included. Files are checked as written on
 * disk (modes, openssl's reading of keys, JSON parsed here).
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caKeyMaterial, type CaKeyMaterial } from '../../src/ca/ca-key-material.js';
import type { SelfSignedCaState } from '../../src/ca/ca-store.js';
import { FileCaStore } from '../../src/ca/file-ca-store.js';
import { createSelfSignedRoot } from '../../src/ca/self-signed-root.js';
import { openssl, Scratch } from './openssl-tools.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());
const td = 'cluster.local';

let dirs = 0;
function freshDir(): string {
  return path.join(scratch.dir, `state-${dirs++}`);
}

const fingerprints = (pems: readonly string[]): string[] => pems.map((p) => new X509Certificate(p).fingerprint256);

let oldRoot: CaKeyMaterial;
let newRoot: CaKeyMaterial;
beforeAll(async () => {
  [oldRoot, newRoot] = await Promise.all([createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' }), createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' })]);
});

function withBundle(m: CaKeyMaterial, bundle: readonly CaKeyMaterial[]): CaKeyMaterial {
  return caKeyMaterial({ signingCertPem: m.signingCertPem, signingKeyPem: m.signingKeyPem, intermediatesPem: [], rootCertsPem: bundle.map((b) => b.signingCertPem), source: 'self-signed' });
}

function introducedState(): SelfSignedCaState {
  return {
    active: withBundle(oldRoot, [newRoot, oldRoot]),
    introduced: newRoot,
    rotation: { phase: 'introduced', introducedAt: new Date('2030-01-01T00:00:00Z'), activateAt: new Date('2030-01-02T00:00:00Z') },
  };
}

async function message(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(`${(err as Error).message}\n${util.inspect(err)}`).not.toContain('PRIVATE KEY');
    return (err as Error).message;
  }
  throw new Error('expected a rejection');
}

describe('FileCaStore.replaceSelfSigned', () => {
  it('writes a step whole as the next generation, which a fresh reader rebuilds exactly, rotation files included', async () => {
    const dir = freshDir();
    const store = new FileCaStore({ selfSignedDir: dir });
    await store.saveSelfSignedIfAbsent(oldRoot);
    const before = await store.loadSelfSignedState();
    expect(before?.state.rotation).toBeUndefined();
    expect(readlinkSync(dir)).toBe(`${path.basename(dir)}.g1`);

    const written = await store.replaceSelfSigned(introducedState(), before!.version);
    expect(written).toBeDefined();
    expect(written!.version).not.toBe(before!.version);
    expect(readlinkSync(dir)).toBe(`${path.basename(dir)}.g2`);

    // On disk: istiod's files, with root-cert.pem the whole bundle in order, and tsiod's rotation files.
    expect(fingerprints([readFileSync(path.join(dir, 'ca-cert.pem'), 'utf8')])).toEqual(fingerprints([oldRoot.signingCertPem]));
    const bundleText = readFileSync(path.join(dir, 'root-cert.pem'), 'utf8');
    expect(fingerprints(bundleText.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/g) ?? [])).toEqual(fingerprints([newRoot.signingCertPem, oldRoot.signingCertPem]));
    expect(openssl(['pkey', '-in', path.join(dir, 'next-ca-key.pem'), '-pubout'])).toBe(openssl(['x509', '-in', path.join(dir, 'next-ca-cert.pem'), '-noout', '-pubkey']));
    expect(fingerprints([readFileSync(path.join(dir, 'next-ca-cert.pem'), 'utf8')])).toEqual(fingerprints([newRoot.signingCertPem]));
    for (const key of ['ca-key.pem', 'next-ca-key.pem']) expect(statSync(path.join(dir, key)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(path.join(dir, 'root-rotation.json'), 'utf8'))).toEqual({ phase: 'introduced', introducedAt: '2030-01-01T00:00:00.000Z', activateAt: '2030-01-02T00:00:00.000Z' });

    const reread = await new FileCaStore({ selfSignedDir: dir }).loadSelfSignedState();
    expect(reread!.version).toBe(written!.version);
    expect(fingerprints(reread!.state.active.rootCertsPem)).toEqual(fingerprints([newRoot.signingCertPem, oldRoot.signingCertPem]));
    expect(fingerprints([reread!.state.introduced!.signingCertPem])).toEqual(fingerprints([newRoot.signingCertPem]));
    expect(reread!.state.rotation).toEqual(introducedState().rotation);
    // loadSelfSigned (bootstrap, `tsiod ca root`) gets the whole bundle, in the stored order.
    expect(fingerprints((await store.loadSelfSigned())!.rootCertsPem)).toEqual(fingerprints([newRoot.signingCertPem, oldRoot.signingCertPem]));
    expect(JSON.stringify(reread)).not.toContain('PRIVATE KEY');
  });

  it('refuses a stale version, and of two writers replacing the same version one wins and the other changes nothing', async () => {
    const dir = freshDir();
    const store = new FileCaStore({ selfSignedDir: dir });
    await store.saveSelfSignedIfAbsent(oldRoot);
    const v1 = (await store.loadSelfSignedState())!.version;
    const activated: SelfSignedCaState = {
      active: withBundle(newRoot, [newRoot, oldRoot]),
      rotation: { phase: 'activated', activatedAt: new Date('2030-01-02T00:00:00Z'), retireAt: new Date('2030-04-01T00:00:00Z'), retiringRootsSha256: ['ab'.repeat(32)] },
    };
    const [first, second] = await Promise.all([
      new FileCaStore({ selfSignedDir: dir }).replaceSelfSigned(introducedState(), v1),
      new FileCaStore({ selfSignedDir: dir }).replaceSelfSigned(activated, v1),
    ]);
    expect([first, second].filter((w) => w !== undefined)).toHaveLength(1);
    const winner = (first ?? second)!;
    const stored = await store.loadSelfSignedState();
    expect(stored!.version).toBe(winner.version);
    expect(stored!.state.rotation?.phase).toBe(winner.state.rotation?.phase);

    // The loser's version, and the first one, are stale now.
    expect(await store.replaceSelfSigned({ active: withBundle(oldRoot, [oldRoot]) }, v1)).toBeUndefined();
    expect((await store.loadSelfSignedState())!.version).toBe(winner.version);
  });

  it('keeps the generation before the current one for readers still on it, and removes older ones', async () => {
    const dir = freshDir();
    const store = new FileCaStore({ selfSignedDir: dir });
    await store.saveSelfSignedIfAbsent(oldRoot);
    let version = (await store.loadSelfSignedState())!.version;
    for (const state of [introducedState(), { active: withBundle(oldRoot, [oldRoot]) }, introducedState()]) {
      version = (await store.replaceSelfSigned(state, version))!.version;
    }
    const name = path.basename(dir);
    expect(readdirSync(path.dirname(dir)).filter((e) => e.startsWith(`${name}.`)).sort()).toEqual([`${name}.g3`, `${name}.g4`]);
  });

  it('takes over a plain directory made by hand (moved aside), and sees a hand edit of it as a change', async () => {
    const dir = freshDir();
    mkdirSync(dir, { mode: 0o700 });
    const files = { 'ca-cert.pem': oldRoot.signingCertPem, 'ca-key.pem': oldRoot.signingKeyPem, 'root-cert.pem': oldRoot.signingCertPem, 'cert-chain.pem': '' };
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content, { mode: 0o600 });
    const store = new FileCaStore({ selfSignedDir: dir });
    const read = await store.loadSelfSignedState();
    expect(lstatSync(dir).isDirectory()).toBe(true);

    // An operator edits the directory after it was read: the version read is stale.
    writeFileSync(path.join(dir, 'cert-chain.pem'), '\n');
    expect(await store.replaceSelfSigned(introducedState(), read!.version)).toBeUndefined();

    const current = await store.loadSelfSignedState();
    const written = await store.replaceSelfSigned(introducedState(), current!.version);
    expect(written?.state.rotation?.phase).toBe('introduced');
    expect(lstatSync(dir).isSymbolicLink()).toBe(true);
    expect(readlinkSync(dir)).toBe(`${path.basename(dir)}.g1`);
    expect(existsSync(`${dir}.g0/ca-cert.pem`)).toBe(true);
    expect(fingerprints((await new FileCaStore({ selfSignedDir: dir }).loadSelfSigned())!.rootCertsPem)).toEqual(fingerprints([newRoot.signingCertPem, oldRoot.signingCertPem]));
  });

  it('retakes a generation a writer claimed and abandoned (it died before linking it)', async () => {
    const dir = freshDir();
    const store = new FileCaStore({ selfSignedDir: dir });
    await store.saveSelfSignedIfAbsent(oldRoot);
    const version = (await store.loadSelfSignedState())!.version;
    const abandoned = `${dir}.g2`;
    mkdirSync(abandoned);
    writeFileSync(path.join(abandoned, 'ca-cert.pem'), 'half written');
    const longAgo = new Date(Date.now() - 10 * 60_000);
    utimesSync(abandoned, longAgo, longAgo);
    const written = await store.replaceSelfSigned(introducedState(), version);
    expect(written?.state.rotation?.phase).toBe('introduced');
    expect(readlinkSync(dir)).toBe(`${path.basename(dir)}.g2`);
  });

  it('refuses an inconsistent state before writing, and names a broken rotation file when reading', async () => {
    const dir = freshDir();
    const store = new FileCaStore({ selfSignedDir: dir });
    await store.saveSelfSignedIfAbsent(oldRoot);
    const version = (await store.loadSelfSignedState())!.version;
    const { rotation: _dropped, ...withoutRotation } = introducedState();
    expect(await message(store.replaceSelfSigned(withoutRotation, version))).toMatch(/next-ca-cert\.pem is present but the rotation is not in phase "introduced"/);
    expect(await message(store.replaceSelfSigned({ active: withBundle(oldRoot, [newRoot]) }, version))).toMatch(/signing root is not in the trust bundle/);
    expect((await store.loadSelfSignedState())!.version).toBe(version);

    const written = await store.replaceSelfSigned(introducedState(), version);
    const generationDir = path.join(path.dirname(dir), readlinkSync(dir));
    // Generations are never edited by tsiod; this stands for a damaged disk or a hand edit.
    writeFileSync(path.join(generationDir, 'root-rotation.json'), '{"phase":"introduced","activateAt":"soon"}');
    const text = await message(store.loadSelfSignedState());
    expect(text).toContain(path.join(generationDir, 'root-rotation.json'));
    expect(text).toMatch(/introducedAt is not an RFC 3339 time/);
    expect(written).toBeDefined();
  });
});

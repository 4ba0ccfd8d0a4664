import { X509Certificate } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateCa, type CreationLock } from '../../src/ca/bootstrap-ca.js';
import { FileCaStore } from '../../src/ca/file-ca-store.js';
import { createSelfSignedRoot } from '../../src/ca/self-signed-root.js';
import { opensslRoot, opensslSigned, opensslText, Scratch } from './openssl-tools.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());
const td = 'cluster.local';

let dirs = 0;
function freshDir(): string {
  return path.join(scratch.dir, `state-${dirs++}`);
}

function raw(pem: string): Buffer {
  return new X509Certificate(pem).raw;
}

/** A lock that records its use and serializes callers, as the Lease lock does across replicas. */
function countingLock(): { lock: CreationLock; calls: () => number } {
  let calls = 0;
  let tail: Promise<unknown> = Promise.resolve();
  const lock: CreationLock = <T>(fn: () => Promise<T>): Promise<T> => {
    calls++;
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
  return { lock, calls: () => calls };
}

describe('loadOrCreateCa', () => {
  it('creates a self-signed root under the lock when nothing is stored, then finds it stored', async () => {
    const dir = freshDir();
    const { lock, calls } = countingLock();
    const first = await loadOrCreateCa(new FileCaStore({ selfSignedDir: dir }), { trustDomain: td, algorithm: 'ECDSA' }, lock);
    expect(first.origin).toBe('created');
    expect(calls()).toBe(1);
    expect(first.material.source).toBe('self-signed');
    expect(opensslText(first.material.signingCertPem)).toContain('ASN1 OID: prime256v1');
    expect(opensslText(first.material.signingCertPem)).toMatch(/Subject: O ?= ?cluster\.local\n/);
    expect(first.authority.trustDomain).toBe(td);

    const second = await loadOrCreateCa(new FileCaStore({ selfSignedDir: dir }), { trustDomain: td }, lock);
    expect(second.origin).toBe('stored');
    expect(calls()).toBe(1);
    expect(raw(second.material.signingCertPem).equals(raw(first.material.signingCertPem))).toBe(true);
    const issued = await second.authority.issueWorkloadCertificate({ trustDomain: td, namespace: 'a', serviceAccount: 'b' });
    expect(new X509Certificate(issued.certChainPem[0] ?? '').checkIssued(new X509Certificate(first.material.signingCertPem))).toBe(true);
  });

  it('makes an RSA 2048 root by default', async () => {
    const loaded = await loadOrCreateCa(new FileCaStore({ selfSignedDir: freshDir() }), { trustDomain: td });
    expect(opensslText(loaded.material.signingCertPem)).toContain('Public-Key: (2048 bit)');
  });

  it('gives replicas starting together one shared root', async () => {
    const dir = freshDir();
    const { lock } = countingLock();
    const results = await Promise.all([0, 1, 2].map(() => loadOrCreateCa(new FileCaStore({ selfSignedDir: dir }), { trustDomain: td, algorithm: 'ECDSA' }, lock)));
    const roots = results.map((r) => raw(r.material.signingCertPem).toString('hex'));
    expect(new Set(roots).size).toBe(1);
    expect(results.filter((r) => r.origin === 'created')).toHaveLength(1);
  });

  it('takes the root another replica stored while this one waited for the lock', async () => {
    const dir = freshDir();
    const theirs = await createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' });
    const lock: CreationLock = async (fn) => {
      await new FileCaStore({ selfSignedDir: dir }).saveSelfSignedIfAbsent(theirs);
      return fn();
    };
    const loaded = await loadOrCreateCa(new FileCaStore({ selfSignedDir: dir }), { trustDomain: td, algorithm: 'ECDSA' }, lock);
    expect(loaded.origin).toBe('stored');
    expect(raw(loaded.material.signingCertPem).equals(raw(theirs.signingCertPem))).toBe(true);
  });

  it('prefers a plugged-in CA over a stored self-signed one, and does not create anything', async () => {
    const stateDir = freshDir();
    await loadOrCreateCa(new FileCaStore({ selfSignedDir: stateDir }), { trustDomain: td, algorithm: 'ECDSA' });
    const root = opensslRoot(scratch, '/O=Istio/CN=Root CA');
    const intermediate = opensslSigned(scratch, root, '/O=Istio/CN=Intermediate CA');
    const cacerts = path.join(scratch.dir, `cacerts-${dirs++}`);
    mkdirSync(cacerts);
    writeFileSync(path.join(cacerts, 'ca-cert.pem'), intermediate.certPem);
    writeFileSync(path.join(cacerts, 'ca-key.pem'), intermediate.keyPem, { mode: 0o600 });
    writeFileSync(path.join(cacerts, 'root-cert.pem'), root.certPem);
    writeFileSync(path.join(cacerts, 'cert-chain.pem'), intermediate.certPem + root.certPem);
    const { lock, calls } = countingLock();
    const loaded = await loadOrCreateCa(new FileCaStore({ selfSignedDir: stateDir, pluggedInDir: cacerts }), { trustDomain: td }, lock);
    expect(loaded.origin).toBe('plugged-in');
    expect(calls()).toBe(0);
    expect(loaded.authority.trustBundlePem().map(raw)).toEqual([raw(root.certPem)]);
    expect(raw(loaded.authority.signingRootPem()).equals(raw(root.certPem))).toBe(true);
  });

  it('passes TTL options to the authority', async () => {
    const loaded = await loadOrCreateCa(new FileCaStore({ selfSignedDir: freshDir() }), { trustDomain: td, algorithm: 'ECDSA', defaultTtlSeconds: 600, maxTtlSeconds: 3600 });
    const issued = await loaded.authority.issueWorkloadCertificate({ trustDomain: td, namespace: 'a', serviceAccount: 'b' });
    expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe(600_000 + 120_000);
    await expect(loaded.authority.issueWorkloadCertificate({ trustDomain: td, namespace: 'a', serviceAccount: 'b' }, 3601)).rejects.toMatchObject({ code: 'ttl-too-long' });
  });
});

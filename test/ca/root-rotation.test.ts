/**
 * Root rotation with an overlap (the idea of Istio's selfSignedCARootCertRotator,
 * done in three explicit steps): a new root is trusted before any leaf is
 * signed by it, so peers holding the old bundle and peers holding leaves of
 * either root keep talking throughout.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CertificateAuthority, type IssuedKeyAndCertificate } from '../../src/ca/certificate-authority.js';
import type { CaKeyMaterial } from '../../src/ca/ca-key-material.js';
import { createSelfSignedRoot } from '../../src/ca/self-signed-root.js';
import { opensslVerify, Scratch } from './openssl-tools.js';
import { mutualTlsHandshake } from './tls-tools.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());

const td = 'cluster.local';
const frontend = { trustDomain: td, namespace: 'shop', serviceAccount: 'frontend' };
const backend = { trustDomain: td, namespace: 'shop', serviceAccount: 'backend' };

let oldRoot: CaKeyMaterial;
let newRoot: CaKeyMaterial;
let ca: CertificateAuthority;
let bundles: (readonly string[])[];

beforeEach(async () => {
  oldRoot = await createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' });
  newRoot = await createSelfSignedRoot({ trustDomain: td });
  ca = await CertificateAuthority.fromKeyMaterial(oldRoot, { trustDomain: td });
  bundles = [];
  ca.onTrustBundleChange((b) => bundles.push(b));
});

function same(a: string, b: string): boolean {
  return new X509Certificate(a).raw.equals(new X509Certificate(b).raw);
}

function verifies(leaf: IssuedKeyAndCertificate, bundle: readonly string[]): boolean {
  try {
    opensslVerify(scratch, { leafPem: leaf.certChainPem[0] ?? '', bundlePem: bundle });
    return true;
  } catch {
    return false;
  }
}

describe('root rotation', () => {
  it('introduces the new root into the bundle while still signing with the old one', async () => {
    const oldBundle = ca.trustBundlePem();
    await ca.introduceRoot(newRoot);
    const bundle = ca.trustBundlePem();
    expect(bundle).toHaveLength(2);
    expect(bundle.some((p) => same(p, newRoot.signingCertPem))).toBe(true);
    expect(bundle.some((p) => same(p, oldRoot.signingCertPem))).toBe(true);
    expect(bundles).toEqual([bundle]);

    const leaf = await ca.issueWorkloadCertificate(frontend);
    expect(same(leaf.certChainPem.at(-1) ?? '', oldRoot.signingCertPem)).toBe(true);
    // A peer that has not yet received the new bundle still accepts leaves signed during the overlap.
    expect(verifies(leaf, oldBundle)).toBe(true);
    expect(verifies(leaf, bundle)).toBe(true);
  });

  it('after activation signs with the new root; old-root and new-root leaves both verify against the bundle', async () => {
    const oldLeaf = await ca.issueWorkloadCertificate(frontend);
    await ca.introduceRoot(newRoot);
    ca.activateIntroducedRoot();
    const newLeaf = await ca.issueWorkloadCertificate(backend);

    expect(same(newLeaf.certChainPem.at(-1) ?? '', newRoot.signingCertPem)).toBe(true);
    expect(new X509Certificate(newLeaf.certChainPem[0] ?? '').checkIssued(new X509Certificate(newRoot.signingCertPem))).toBe(true);
    expect(same(ca.trustBundlePem()[0] ?? '', newRoot.signingCertPem)).toBe(true);
    expect(ca.trustBundlePem()).toHaveLength(2);
    expect(ca.rootCertExpiry().getTime()).toBe(new Date(new X509Certificate(newRoot.signingCertPem).validTo).getTime());

    const bundle = ca.trustBundlePem();
    expect(verifies(oldLeaf, bundle)).toBe(true);
    expect(verifies(newLeaf, bundle)).toBe(true);
    // Each root alone accepts only its own leaves: the overlap is what makes both work.
    expect(verifies(newLeaf, oldRoot.rootCertsPem)).toBe(false);
    expect(verifies(oldLeaf, newRoot.rootCertsPem)).toBe(false);
  });

  it('lets an old-root leaf and a new-root leaf complete mutual TLS both ways during the overlap', async () => {
    const oldLeaf = await ca.issueWorkloadCertificate(frontend);
    await ca.introduceRoot(newRoot);
    ca.activateIntroducedRoot();
    const newLeaf = await ca.issueWorkloadCertificate(backend);
    const bundle = ca.trustBundlePem();
    const party = (leaf: IssuedKeyAndCertificate) => ({ keyPem: leaf.privateKeyPem, certChainPem: leaf.certChainPem, trustedPem: bundle });

    const oldServes = await mutualTlsHandshake(party(oldLeaf), party(newLeaf), { expectServerSan: 'URI:spiffe://cluster.local/ns/shop/sa/frontend' });
    expect(oldServes.clientSanSeenByServer).toBe('URI:spiffe://cluster.local/ns/shop/sa/backend');
    const newServes = await mutualTlsHandshake(party(newLeaf), party(oldLeaf), { expectServerSan: 'URI:spiffe://cluster.local/ns/shop/sa/backend' });
    expect(newServes.clientSanSeenByServer).toBe('URI:spiffe://cluster.local/ns/shop/sa/frontend');
  });

  it('retires the old root afterwards: the bundle shrinks, listeners hear it, old leaves stop verifying', async () => {
    const oldLeaf = await ca.issueWorkloadCertificate(frontend);
    await ca.introduceRoot(newRoot);
    ca.activateIntroducedRoot();
    const newLeaf = await ca.issueWorkloadCertificate(backend);

    expect(ca.retireRoot(oldRoot.signingCertPem)).toBe(true);
    const bundle = ca.trustBundlePem();
    expect(bundle).toHaveLength(1);
    expect(same(bundle[0] ?? '', newRoot.signingCertPem)).toBe(true);
    expect(bundles.at(-1)).toEqual(bundle);
    expect(verifies(newLeaf, bundle)).toBe(true);
    expect(verifies(oldLeaf, bundle)).toBe(false);
    await expect(
      mutualTlsHandshake(
        { keyPem: newLeaf.privateKeyPem, certChainPem: newLeaf.certChainPem, trustedPem: bundle },
        { keyPem: oldLeaf.privateKeyPem, certChainPem: oldLeaf.certChainPem, trustedPem: bundle },
      ),
    ).rejects.toThrow();
    expect(ca.retireRoot(oldRoot.signingCertPem)).toBe(false);
  });

  it('refuses to retire the root it signs with, or one introduced and not yet active', async () => {
    expect(() => ca.retireRoot(oldRoot.signingCertPem)).toThrow(/in use/);
    await ca.introduceRoot(newRoot);
    expect(() => ca.retireRoot(newRoot.signingCertPem)).toThrow(/in use/);
    expect(ca.trustBundlePem()).toHaveLength(2);
  });

  it('refuses to activate when nothing was introduced', () => {
    expect(() => ca.activateIntroducedRoot()).toThrow(/introduceRoot/);
  });

  it('stops calling a listener after it unsubscribes, and survives a listener that throws', async () => {
    const seen: number[] = [];
    ca.onTrustBundleChange(() => {
      throw new Error('listener failure');
    });
    const unsubscribe = ca.onTrustBundleChange((b) => seen.push(b.length));
    await ca.introduceRoot(newRoot);
    unsubscribe();
    ca.activateIntroducedRoot();
    ca.retireRoot(oldRoot.signingCertPem);
    expect(seen).toEqual([2]);
    // Activation keeps the bundle but changes the signing root: listeners hear of it too.
    expect(bundles.map((b) => b.length)).toEqual([2, 2, 1]);
  });

  it('tells listeners when the signing root changes though the bundle does not, so the 15012 certificate and the root-expiry gauge follow it', async () => {
    await ca.introduceRoot(newRoot);
    const heard: Date[] = [];
    ca.onTrustBundleChange(() => heard.push(ca.rootCertExpiry()));
    const bundleBefore = ca.trustBundlePem();
    ca.activateIntroducedRoot();
    expect(ca.trustBundlePem().map((p) => new X509Certificate(p).fingerprint256)).toEqual(bundleBefore.map((p) => new X509Certificate(p).fingerprint256));
    expect(heard).toEqual([new Date(new X509Certificate(newRoot.signingCertPem).validTo)]);
  });

  it('adopts a stored state: the bundle in the stored order, the stored signing root, an introduced root ready to activate', async () => {
    const stateBundle = [newRoot.signingCertPem, oldRoot.signingCertPem];
    const active = { ...oldRoot, signingKeyPem: oldRoot.signingKeyPem, rootCertsPem: stateBundle };
    await ca.adoptStoredState(active, newRoot);
    expect(ca.trustBundlePem().map((p) => new X509Certificate(p).fingerprint256)).toEqual(stateBundle.map((p) => new X509Certificate(p).fingerprint256));
    expect(same(ca.signingRootPem(), oldRoot.signingCertPem)).toBe(true);
    expect(bundles).toHaveLength(1);
    // The same state again changes nothing and tells no one.
    await ca.adoptStoredState(active, newRoot);
    expect(bundles).toHaveLength(1);
    ca.activateIntroducedRoot();
    expect(same((await ca.issueWorkloadCertificate(frontend)).certChainPem.at(-1) ?? '', newRoot.signingCertPem)).toBe(true);

    // A state in which the new root signs, adopted from scratch: listeners hear of the signing root though the bundle is the same.
    const fresh = await CertificateAuthority.fromKeyMaterial(active, { trustDomain: td });
    const heard: number[] = [];
    fresh.onTrustBundleChange((b) => heard.push(b.length));
    await fresh.adoptStoredState({ ...newRoot, signingKeyPem: newRoot.signingKeyPem, rootCertsPem: stateBundle });
    expect(heard).toEqual([2]);
    expect(same(fresh.signingRootPem(), newRoot.signingCertPem)).toBe(true);
    await expect(fresh.adoptStoredState({ ...newRoot, signingKeyPem: oldRoot.signingKeyPem, rootCertsPem: stateBundle })).rejects.toThrow(/does not match/);
    expect(same(fresh.signingRootPem(), newRoot.signingCertPem)).toBe(true);
  });

  it('validates the introduced material like any other', async () => {
    const other = await createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' });
    const broken: CaKeyMaterial = { ...newRoot, signingKeyPem: other.signingKeyPem };
    await expect(ca.introduceRoot(broken)).rejects.toThrow(/does not match/);
    expect(ca.trustBundlePem()).toHaveLength(1);
    expect(bundles).toEqual([]);
  });
});

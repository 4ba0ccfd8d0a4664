import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../src/ca/certificate-authority.js';
import { FileCaStore } from '../../src/ca/file-ca-store.js';
import { createSelfSignedRoot } from '../../src/ca/self-signed-root.js';
import { openssl, opensslRoot, opensslSigned, opensslVerify, Scratch, type OpensslCa } from './openssl-tools.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());
const td = 'cluster.local';
const identity = { trustDomain: td, namespace: 'default', serviceAccount: 'sleep' };

let dirs = 0;
function freshDir(name: string): string {
  return path.join(scratch.dir, `${name}-${dirs++}`);
}

function writeDir(files: Record<string, string>): string {
  const dir = freshDir('cacerts');
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content, { mode: name.endsWith('key.pem') || name === 'tls.key' ? 0o600 : 0o644 });
  return dir;
}

function raw(pem: string): Buffer {
  return new X509Certificate(pem).raw;
}

async function message(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => {
      const text = `${String((err as Error).message)}\n${util.inspect(err)}`;
      expect(text).not.toContain('PRIVATE KEY');
      return (err as Error).message;
    },
  );
}

/** An operator's hierarchy as Istio's tools/certs Makefiles make it: root -> intermediate (the cluster CA). */
function hierarchy(): { root: OpensslCa; intermediate: OpensslCa } {
  const root = opensslRoot(scratch, '/O=Istio/CN=Root CA');
  const intermediate = opensslSigned(scratch, root, '/O=Istio/CN=Intermediate CA/L=cluster1');
  return { root, intermediate };
}

describe('FileCaStore, self-signed CA', () => {
  it("persists the root as istio-ca-secret's files, key 0600 in a 0700 directory, and reads it back", async () => {
    const dir = freshDir('state');
    const store = new FileCaStore({ selfSignedDir: dir });
    expect(await store.loadSelfSigned()).toBeUndefined();
    expect(await store.loadPluggedIn()).toBeUndefined();

    const root = await createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' });
    const saved = await store.saveSelfSignedIfAbsent(root);
    expect(raw(saved.signingCertPem).equals(raw(root.signingCertPem))).toBe(true);

    expect(statSync(path.join(dir, 'ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(raw(readFileSync(path.join(dir, 'ca-cert.pem'), 'utf8')).equals(raw(root.signingCertPem))).toBe(true);
    expect(raw(readFileSync(path.join(dir, 'root-cert.pem'), 'utf8')).equals(raw(root.signingCertPem))).toBe(true);
    expect(readFileSync(path.join(dir, 'cert-chain.pem'), 'utf8')).toBe('');
    // The key file is the certificate's key, by openssl's reading.
    const keyPub = openssl(['pkey', '-in', path.join(dir, 'ca-key.pem'), '-pubout']);
    const certPub = openssl(['x509', '-in', path.join(dir, 'ca-cert.pem'), '-noout', '-pubkey']);
    expect(keyPub).toBe(certPub);

    const reloaded = await new FileCaStore({ selfSignedDir: dir }).loadSelfSigned();
    expect(reloaded?.source).toBe('self-signed');
    expect(raw(reloaded?.signingCertPem ?? '').equals(raw(root.signingCertPem))).toBe(true);
    expect(createPrivateKey(reloaded?.signingKeyPem ?? '').asymmetricKeyType).toBe('ec');
    expect(JSON.stringify(reloaded)).not.toContain('PRIVATE KEY');
  });

  it('keeps the first root when asked to save another (another replica won)', async () => {
    const dir = freshDir('state');
    const first = await createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' });
    const second = await createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' });
    await new FileCaStore({ selfSignedDir: dir }).saveSelfSignedIfAbsent(first);
    const kept = await new FileCaStore({ selfSignedDir: dir }).saveSelfSignedIfAbsent(second);
    expect(raw(kept.signingCertPem).equals(raw(first.signingCertPem))).toBe(true);
  });

  it('ends with one root when two writers race', async () => {
    const dir = freshDir('state');
    const [a, b] = await Promise.all([createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' }), createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' })]);
    const [savedA, savedB] = await Promise.all([new FileCaStore({ selfSignedDir: dir }).saveSelfSignedIfAbsent(a), new FileCaStore({ selfSignedDir: dir }).saveSelfSignedIfAbsent(b)]);
    expect(raw(savedA.signingCertPem).equals(raw(savedB.signingCertPem))).toBe(true);
  });

  it('refuses an incomplete self-signed CA, naming the missing file', async () => {
    const root = await createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' });
    const dir = writeDir({ 'ca-cert.pem': root.signingCertPem });
    expect(await message(new FileCaStore({ selfSignedDir: dir }).loadSelfSigned())).toMatch(/incomplete self-signed CA .*ca-key\.pem is missing/);
  });

  it('refuses to write into a non-empty directory that holds no CA', async () => {
    const dir = writeDir({ 'notes.txt': 'hello' });
    const root = await createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' });
    expect(await message(new FileCaStore({ selfSignedDir: dir }).saveSelfSignedIfAbsent(root))).toMatch(/not empty/);
  });

  it('refuses a stored key that does not match, naming the file and not quoting it', async () => {
    const root = await createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' });
    const other = await createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' });
    const dir = writeDir({ 'ca-cert.pem': root.signingCertPem, 'ca-key.pem': other.signingKeyPem, 'root-cert.pem': root.signingCertPem, 'cert-chain.pem': '' });
    const text = await message(new FileCaStore({ selfSignedDir: dir }).loadSelfSigned());
    expect(text).toContain(path.join(dir, 'ca-key.pem'));
    expect(text).toMatch(/does not match/);
  });
});

describe('FileCaStore, plugged-in CA', () => {
  it('reads the istiod form (ca-cert, ca-key, root-cert, cert-chain) and signs leaves chaining root-last', async () => {
    const { root, intermediate } = hierarchy();
    const dir = writeDir({ 'ca-cert.pem': intermediate.certPem, 'ca-key.pem': intermediate.keyPem, 'root-cert.pem': root.certPem, 'cert-chain.pem': intermediate.certPem + root.certPem });
    const store = new FileCaStore({ selfSignedDir: freshDir('state'), pluggedInDir: dir });
    const material = await store.loadPluggedIn();
    expect(material?.source).toBe('plugged-in');
    expect(raw(material?.signingCertPem ?? '').equals(raw(intermediate.certPem))).toBe(true);
    expect(material?.intermediatesPem).toEqual([]);
    expect(material?.rootCertsPem.map(raw)).toEqual([raw(root.certPem)]);
    expect(store.describe()).toContain(dir);

    const ca = await CertificateAuthority.fromKeyMaterial(material!, { trustDomain: td });
    const issued = await ca.issueWorkloadCertificate(identity);
    expect(issued.certChainPem.map(raw)).toEqual([raw(issued.certChainPem[0] ?? ''), raw(intermediate.certPem), raw(root.certPem)]);
    const [leaf, inter, top] = issued.certChainPem.map((p) => new X509Certificate(p));
    expect(leaf!.checkIssued(inter!) && leaf!.verify(inter!.publicKey)).toBe(true);
    expect(inter!.checkIssued(top!) && inter!.verify(top!.publicKey)).toBe(true);
    expect(opensslVerify(scratch, { leafPem: issued.certChainPem[0] ?? '', bundlePem: ca.trustBundlePem(), intermediatesPem: issued.certChainPem.slice(1, -1), purpose: 'sslclient' })).toMatch(/: OK/);
    // Without the intermediate, the leaf does not verify: the chain is needed.
    expect(() => opensslVerify(scratch, { leafPem: issued.certChainPem[0] ?? '', bundlePem: ca.trustBundlePem() })).toThrow(/openssl verify failed/);
  });

  it('orders a two-level chain from the signing cert to the root, whatever the order in cert-chain.pem', async () => {
    const root = opensslRoot(scratch, '/O=Istio/CN=Root CA');
    const regional = opensslSigned(scratch, root, '/O=Istio/CN=Regional CA');
    const cluster = opensslSigned(scratch, regional, '/O=Istio/CN=Cluster CA');
    const dir = writeDir({ 'ca-cert.pem': cluster.certPem, 'ca-key.pem': cluster.keyPem, 'root-cert.pem': root.certPem, 'cert-chain.pem': root.certPem + cluster.certPem + regional.certPem });
    const material = await new FileCaStore({ selfSignedDir: freshDir('state'), pluggedInDir: dir }).loadPluggedIn();
    expect(material?.intermediatesPem.map(raw)).toEqual([raw(regional.certPem)]);
    const ca = await CertificateAuthority.fromKeyMaterial(material!, { trustDomain: td });
    const issued = await ca.signCsr(openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(scratch.dir, 'discard.pem'), '-subj', '/CN=x']), identity);
    expect(issued.certChainPem.slice(1).map(raw)).toEqual([raw(cluster.certPem), raw(regional.certPem), raw(root.certPem)]);
    expect(opensslVerify(scratch, { leafPem: issued.certChainPem[0] ?? '', bundlePem: [root.certPem], intermediatesPem: issued.certChainPem.slice(1, -1) })).toMatch(/: OK/);
  });

  it('reads the kubernetes.io/tls form (tls.crt, tls.key, ca.crt), which wins over the istiod form', async () => {
    const tlsForm = hierarchy();
    const istiodForm = hierarchy();
    const dir = writeDir({
      'tls.crt': tlsForm.intermediate.certPem,
      'tls.key': tlsForm.intermediate.keyPem,
      'ca.crt': tlsForm.root.certPem,
      'ca-cert.pem': istiodForm.intermediate.certPem,
      'ca-key.pem': istiodForm.intermediate.keyPem,
      'root-cert.pem': istiodForm.root.certPem,
      'cert-chain.pem': istiodForm.intermediate.certPem + istiodForm.root.certPem,
    });
    const material = await new FileCaStore({ selfSignedDir: freshDir('state'), pluggedInDir: dir }).loadPluggedIn();
    expect(raw(material?.signingCertPem ?? '').equals(raw(tlsForm.intermediate.certPem))).toBe(true);
    expect(material?.rootCertsPem.map(raw)).toEqual([raw(tlsForm.root.certPem)]);
  });

  it('reads a PKCS#1 RSA key and hands it on as PKCS#8', async () => {
    const root = opensslRoot(scratch, '/O=Istio/CN=Root CA');
    const intermediate = opensslSigned(scratch, root, '/O=Istio/CN=Intermediate CA', { type: 'rsa' });
    const pkcs1 = createPrivateKey(intermediate.keyPem).export({ type: 'pkcs1', format: 'pem' });
    const dir = writeDir({ 'ca-cert.pem': intermediate.certPem, 'ca-key.pem': pkcs1, 'root-cert.pem': root.certPem, 'cert-chain.pem': intermediate.certPem + root.certPem });
    const material = await new FileCaStore({ selfSignedDir: freshDir('state'), pluggedInDir: dir }).loadPluggedIn();
    expect(material?.signingKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('is absent for an empty directory, and an error for a directory that does not exist', async () => {
    expect(await new FileCaStore({ selfSignedDir: freshDir('state'), pluggedInDir: writeDir({}) }).loadPluggedIn()).toBeUndefined();
    const missing = path.join(scratch.dir, 'no-such-dir');
    expect(await message(new FileCaStore({ selfSignedDir: freshDir('state'), pluggedInDir: missing }).loadPluggedIn())).toContain(missing);
  });

  it('refuses an incomplete set of files, naming those missing', async () => {
    const { intermediate } = hierarchy();
    const dir = writeDir({ 'ca-cert.pem': intermediate.certPem, 'ca-key.pem': intermediate.keyPem });
    expect(await message(new FileCaStore({ selfSignedDir: freshDir('state'), pluggedInDir: dir }).loadPluggedIn())).toMatch(/incomplete plugged-in CA .*root-cert\.pem, cert-chain\.pem missing/);
  });

  it('refuses a key that does not match ca-cert.pem, naming ca-key.pem', async () => {
    const { root, intermediate } = hierarchy();
    const stray = opensslRoot(scratch, '/O=stray', 'ec');
    const dir = writeDir({ 'ca-cert.pem': intermediate.certPem, 'ca-key.pem': stray.keyPem, 'root-cert.pem': root.certPem, 'cert-chain.pem': intermediate.certPem + root.certPem });
    const text = await message(new FileCaStore({ selfSignedDir: freshDir('state'), pluggedInDir: dir }).loadPluggedIn());
    expect(text).toContain(path.join(dir, 'ca-key.pem'));
    expect(text).toMatch(/does not match/);
  });

  it('refuses a signing certificate that is not a CA, naming ca-cert.pem', async () => {
    const root = opensslRoot(scratch, '/O=Istio/CN=Root CA');
    const notCa = opensslSigned(scratch, root, '/O=Istio/CN=not a CA', { ca: false });
    const dir = writeDir({ 'ca-cert.pem': notCa.certPem, 'ca-key.pem': notCa.keyPem, 'root-cert.pem': root.certPem, 'cert-chain.pem': notCa.certPem + root.certPem });
    const text = await message(new FileCaStore({ selfSignedDir: freshDir('state'), pluggedInDir: dir }).loadPluggedIn());
    expect(text).toContain(path.join(dir, 'ca-cert.pem'));
    expect(text).toMatch(/not a CA/);
  });

  it('refuses a chain that does not verify to root-cert.pem, naming the files', async () => {
    const { intermediate } = hierarchy();
    const otherRoot = opensslRoot(scratch, '/O=Other/CN=Root CA');
    const dir = writeDir({ 'ca-cert.pem': intermediate.certPem, 'ca-key.pem': intermediate.keyPem, 'root-cert.pem': otherRoot.certPem, 'cert-chain.pem': intermediate.certPem + otherRoot.certPem });
    const text = await message(new FileCaStore({ selfSignedDir: freshDir('state'), pluggedInDir: dir }).loadPluggedIn());
    expect(text).toMatch(/does not chain to a root/);
    expect(text).toContain(path.join(dir, 'root-cert.pem'));
  });

  it('refuses an unreadable key file without quoting it', async () => {
    const { root, intermediate } = hierarchy();
    const garbled = intermediate.keyPem.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!!!!!!!!!!!!!!!!!');
    const dir = writeDir({ 'ca-cert.pem': intermediate.certPem, 'ca-key.pem': garbled, 'root-cert.pem': root.certPem, 'cert-chain.pem': intermediate.certPem + root.certPem });
    const text = await message(new FileCaStore({ selfSignedDir: freshDir('state'), pluggedInDir: dir }).loadPluggedIn());
    expect(text).toContain(path.join(dir, 'ca-key.pem'));
    expect(text).not.toContain(garbled.split('\n')[2] ?? 'x');
  });
});

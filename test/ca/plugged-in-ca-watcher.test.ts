/**
 * A plugged-in CA directory changed after start is followed as istiod's
 * handleCACertsFileWatch/handleEvent follows its cacerts mount: a new
 * intermediate (under the same roots, or under a new root added beside the
 * old one) signs from then on and the bundle becomes the new root-cert.pem;
 * a root bundle unrelated to the current one (istiod's
 * pemBundleHasSubsetRelation fails) and unusable files are refused, and the
 * CA in force stays. Chains are judged by `openssl verify`; hierarchies are
 * made by the openssl CLI as an operator would.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateCa } from '../../src/ca/bootstrap-ca.js';
import { FileCaStore } from '../../src/ca/file-ca-store.js';
import { PluggedInCaWatcher } from '../../src/ca/plugged-in-ca-watcher.js';
import { ManualClock } from './manual-clock.js';
import { opensslRoot, opensslSigned, opensslVerify, Scratch, type OpensslCa } from './openssl-tools.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());
const td = 'cluster.local';
const identity = { trustDomain: td, namespace: 'default', serviceAccount: 'sleep' };

const rootA = opensslRoot(scratch, '/O=Example/CN=Root A');
const intermediateA = opensslSigned(scratch, rootA, '/O=Example/CN=Intermediate A');
const rootB = opensslRoot(scratch, '/O=Example/CN=Root B');
const intermediateB = opensslSigned(scratch, rootB, '/O=Example/CN=Intermediate B');

let dirs = 0;

/** Writes the istiod form of cacerts: ca-cert.pem signs, cert-chain.pem up to its root, root-cert.pem the trusted roots. */
function writeCacerts(dir: string, signing: OpensslCa, root: OpensslCa, trusted: readonly OpensslCa[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'ca-cert.pem'), signing.certPem);
  writeFileSync(path.join(dir, 'ca-key.pem'), signing.keyPem, { mode: 0o600 });
  writeFileSync(path.join(dir, 'cert-chain.pem'), signing.certPem + root.certPem);
  writeFileSync(path.join(dir, 'root-cert.pem'), trusted.map((t) => t.certPem).join(''));
}

function der(pem: string): Buffer {
  return new X509Certificate(pem).raw;
}

function holds(bundle: readonly string[], cert: OpensslCa): boolean {
  return bundle.some((pem) => der(pem).equals(der(cert.certPem)));
}

/** A CA started from cacerts (intermediate A under root A), and a watcher of that directory. */
async function started(o: { clock?: ManualClock } = {}) {
  const dir = path.join(scratch.dir, `cacerts-${dirs++}`);
  writeCacerts(dir, intermediateA, rootA, [rootA]);
  const store = new FileCaStore({ selfSignedDir: path.join(scratch.dir, `state-${dirs}`), pluggedInDir: dir });
  const ca = await loadOrCreateCa(store, { trustDomain: td });
  expect(ca.origin).toBe('plugged-in');
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  const bundles: (readonly string[])[] = [];
  ca.authority.onTrustBundleChange((bundle) => bundles.push(bundle));
  let reads = 0;
  const counted = { describe: () => store.describe(), loadPluggedIn: () => (reads++, store.loadPluggedIn()) };
  const watcher = new PluggedInCaWatcher({ store: counted, authority: ca.authority, current: ca.material, logger, ...(o.clock ? { clock: o.clock } : {}) });
  /** A new workload certificate's chain, with openssl's verdict against the CA's bundle. */
  const leaf = async () => {
    const issued = await ca.authority.issueWorkloadCertificate(identity);
    const [leafPem, ...chain] = issued.certChainPem;
    opensslVerify(scratch, { leafPem: leafPem!, bundlePem: ca.authority.trustBundlePem(), intermediatesPem: chain.slice(0, -1) });
    return { leafPem: leafPem!, chain };
  };
  return { dir, ca, watcher, logs, bundles, leaf, reads: () => reads };
}

describe('PluggedInCaWatcher (file mode)', () => {
  it('takes a new intermediate under the same root: new leaves chain to it, the bundle stays', async () => {
    const s = await started();
    expect(der((await s.leaf()).chain[0]!).equals(der(intermediateA.certPem))).toBe(true);
    const intermediateA2 = opensslSigned(scratch, rootA, '/O=Example/CN=Intermediate A2');
    writeCacerts(s.dir, intermediateA2, rootA, [rootA]);

    expect(await s.watcher.checkNow()).toBe('adopted');
    const { chain } = await s.leaf();
    expect(der(chain[0]!).equals(der(intermediateA2.certPem))).toBe(true);
    expect(s.ca.authority.trustBundlePem().map(der)).toEqual([der(rootA.certPem)]);
    // The bundle is the same, but its listeners (the 15012 certificate, metrics) hear that the signing chain changed.
    expect(s.bundles).toHaveLength(1);
    expect(await s.watcher.checkNow()).toBe('unchanged');
  });

  it('moves to intermediate B under a new root added beside the old one, then drops the old root', async () => {
    const s = await started();
    const before = await s.leaf();
    writeCacerts(s.dir, intermediateB, rootB, [rootB, rootA]);

    expect(await s.watcher.checkNow()).toBe('adopted');
    const after = await s.leaf();
    expect(der(after.chain[0]!).equals(der(intermediateB.certPem))).toBe(true);
    expect(der(after.chain.at(-1)!).equals(der(rootB.certPem))).toBe(true);
    expect(() => opensslVerify(scratch, { leafPem: after.leafPem, bundlePem: [rootA.certPem], intermediatesPem: [intermediateB.certPem] })).toThrow(/openssl verify failed/);
    // Both roots are trusted while workloads still hold leaves of A: an old leaf verifies against the new bundle.
    const bundle = s.ca.authority.trustBundlePem();
    expect(holds(bundle, rootB) && holds(bundle, rootA)).toBe(true);
    opensslVerify(scratch, { leafPem: before.leafPem, bundlePem: bundle, intermediatesPem: [intermediateA.certPem] });
    expect(s.bundles.at(-1)).toEqual(bundle);

    // root-cert.pem down to root B alone is a subset of the bundle: the old root is dropped.
    writeCacerts(s.dir, intermediateB, rootB, [rootB]);
    expect(await s.watcher.checkNow()).toBe('adopted');
    expect(s.ca.authority.trustBundlePem().map(der)).toEqual([der(rootB.certPem)]);
    expect(() => opensslVerify(scratch, { leafPem: before.leafPem, bundlePem: s.ca.authority.trustBundlePem(), intermediatesPem: [intermediateA.certPem] })).toThrow(/openssl verify failed/);
  });

  it('refuses a root bundle unrelated to the current one (istiod: "Updating new ROOT-CA not supported") and keeps signing with A', async () => {
    const s = await started();
    writeCacerts(s.dir, intermediateB, rootB, [rootB]);

    expect(await s.watcher.checkNow()).toBe('root-change-refused');
    expect(der((await s.leaf()).chain[0]!).equals(der(intermediateA.certPem))).toBe(true);
    expect(s.ca.authority.trustBundlePem().map(der)).toEqual([der(rootA.certPem)]);
    expect(s.bundles).toHaveLength(0);
    expect(s.logs.join('')).toContain(s.dir);
  });

  it('refuses even a related root change when root changes are off (istiod without ISTIO_MULTIROOT_MESH)', async () => {
    const s = await started();
    const watcher = new PluggedInCaWatcher({
      store: new FileCaStore({ selfSignedDir: path.join(scratch.dir, 'unused-state'), pluggedInDir: s.dir }),
      authority: s.ca.authority,
      current: s.ca.material,
      logger: pino({ level: 'silent' }),
      allowRootChange: false,
    });
    writeCacerts(s.dir, intermediateB, rootB, [rootB, rootA]);
    expect(await watcher.checkNow()).toBe('root-change-refused');
    expect(der((await s.leaf()).chain[0]!).equals(der(intermediateA.certPem))).toBe(true);
  });

  it('keeps the old CA on garbage files, names the file, shows no key, logs a problem once, and recovers', async () => {
    const s = await started();
    writeFileSync(path.join(s.dir, 'ca-cert.pem'), 'not a certificate\n');

    expect(await s.watcher.checkNow()).toBe('invalid');
    expect(await s.watcher.checkNow()).toBe('invalid');
    const errors = s.logs.filter((l) => JSON.parse(l).level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(path.join(s.dir, 'ca-cert.pem'));
    expect(der((await s.leaf()).chain[0]!).equals(der(intermediateA.certPem))).toBe(true);

    // A key that is not the certificate's: still refused, and the key never reaches the log.
    writeCacerts(s.dir, intermediateB, rootB, [rootB, rootA]);
    writeFileSync(path.join(s.dir, 'ca-key.pem'), intermediateA.keyPem, { mode: 0o600 });
    expect(await s.watcher.checkNow()).toBe('invalid');
    expect(s.logs.join('')).not.toContain('PRIVATE KEY');
    expect(s.logs.join('')).not.toContain(intermediateA.keyPem.split('\n')[1]!);
    expect(der((await s.leaf()).chain[0]!).equals(der(intermediateA.certPem))).toBe(true);
    expect(s.bundles).toHaveLength(0);

    writeCacerts(s.dir, intermediateB, rootB, [rootB, rootA]);
    expect(await s.watcher.checkNow()).toBe('adopted');
    expect(der((await s.leaf()).chain[0]!).equals(der(intermediateB.certPem))).toBe(true);
  });

  it('keeps the old CA when the files are emptied or removed', async () => {
    const s = await started();
    const files = ['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem'].map((name) => path.join(s.dir, name));
    for (const file of files) writeFileSync(file, '');
    expect(await s.watcher.checkNow()).toBe('invalid');
    for (const file of files) rmSync(file);
    expect(await s.watcher.checkNow()).toBe('absent');
    expect(der((await s.leaf()).chain[0]!).equals(der(intermediateA.certPem))).toBe(true);
    expect(s.bundles).toHaveLength(0);
  });

  it('checks at each interval of its clock once started, and not after stop', async () => {
    const clock = new ManualClock(Date.now());
    const s = await started({ clock });
    s.watcher.start();
    writeCacerts(s.dir, intermediateB, rootB, [rootB, rootA]);
    expect(s.reads()).toBe(0);
    clock.advance(10_000);
    await s.watcher.stop();
    expect(s.reads()).toBe(1);
    expect(der((await s.leaf()).chain[0]!).equals(der(intermediateB.certPem))).toBe(true);
    expect(der(s.watcher.current.signingCertPem).equals(der(intermediateB.certPem))).toBe(true);

    writeCacerts(s.dir, intermediateA, rootA, [rootA, rootB]);
    clock.advance(60_000);
    await s.watcher.stop();
    expect(s.reads()).toBe(1);
    expect(der((await s.leaf()).chain[0]!).equals(der(intermediateB.certPem))).toBe(true);
  });
});

/**
 * The CA store of file mode. The self-signed CA lives in a directory tsiod
 * owns (e.g. <state-dir>/ca) as the files of Istio's istio-ca-secret:
 * ca-cert.pem, ca-key.pem (mode 0600), root-cert.pem and an empty
 * cert-chain.pem, plus a root rotation's files while one is in progress
 * (root-rotation-record.ts). The directory is a link to its current
 * generation, replaced whole with a compare-and-swap (generation-dir.ts).
 * A plugged-in CA is read from an operator's directory in
 * either of the forms istiod reads from its cacerts mount
 * (pilot/pkg/bootstrap/istio_ca.go detectSigningCABundleAndCRL):
 *   - tls.crt, tls.key, ca.crt (a kubernetes.io/tls Secret): tls.crt wins when
 *     present; the chain is tls.crt then ca.crt;
 *   - ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem, where
 *     cert-chain.pem holds the chain from ca-cert.pem up to the root.
 * A partial set of files is an error (as istiod's "incomplete signing CA
 * bundle"), and so is material that does not validate; errors name the
 * files, never their content.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { caKeyMaterial, type CaKeyMaterial } from './ca-key-material.js';
import type { CaStore, SelfSignedCaState, StoredSelfSignedCa } from './ca-store.js';
import { GenerationDir, type GenerationFile } from './generation-dir.js';
import { sameCertificate, splitPemCertificates } from './pem.js';
import { checkSelfSignedState, decodeRootRotation, encodeRootRotation, NEXT_CA_CERT_FILE, NEXT_CA_KEY_FILE, ROOT_ROTATION_FILE } from './root-rotation-record.js';
import { toPkcs8Pem } from './signing-key.js';
import { certificatesPem, InvalidCaMaterialError, validateKeyMaterial, type KeyMaterialSources } from './validate-key-material.js';

export interface FileCaStoreOptions {
  /** A directory tsiod owns for its self-signed CA (created 0700 when first needed), e.g. <state-dir>/ca. */
  readonly selfSignedDir: string;
  /** An operator's CA directory (istiod's cacerts mount); none when absent. */
  readonly pluggedInDir?: string;
  readonly now?: () => Date;
}

/** Istio's file names (security/pkg/pki/ca/ca.go). */
export const CaFiles = {
  caCert: 'ca-cert.pem',
  caKey: 'ca-key.pem',
  rootCert: 'root-cert.pem',
  certChain: 'cert-chain.pem',
  tlsCert: 'tls.crt',
  tlsKey: 'tls.key',
  tlsRoot: 'ca.crt',
} as const;

interface PluggedInLayout {
  readonly signingCert: string;
  readonly signingKey: string;
  readonly roots: string;
  readonly chain: readonly string[];
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new InvalidCaMaterialError(`cannot access ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

async function read(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new InvalidCaMaterialError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

export class FileCaStore implements CaStore {
  readonly #selfSigned: GenerationDir;
  readonly #pluggedInDir: string | undefined;
  readonly #now: () => Date;

  constructor(o: FileCaStoreOptions) {
    this.#selfSigned = new GenerationDir(o.selfSignedDir);
    this.#pluggedInDir = o.pluggedInDir === undefined ? undefined : path.resolve(o.pluggedInDir);
    this.#now = o.now ?? (() => new Date());
  }

  describe(): string {
    const selfSigned = `self-signed CA directory ${this.#selfSigned.path}`;
    return this.#pluggedInDir === undefined ? selfSigned : `plugged-in CA directory ${this.#pluggedInDir}, ${selfSigned}`;
  }

  async loadPluggedIn(): Promise<CaKeyMaterial | undefined> {
    const dir = this.#pluggedInDir;
    if (dir === undefined) return undefined;
    if (!(await exists(dir))) throw new InvalidCaMaterialError(`plugged-in CA directory ${dir} does not exist`);
    const layout = await this.#pluggedInLayout(dir);
    if (layout === undefined) return undefined;
    const sources: KeyMaterialSources = { signingCert: layout.signingCert, signingKey: layout.signingKey, intermediates: layout.chain.join(' + '), roots: layout.roots };
    const signingCertPem = splitPemCertificates(await read(layout.signingCert))[0];
    if (signingCertPem === undefined) throw new InvalidCaMaterialError(`${layout.signingCert}: no PEM CERTIFICATE found`);
    const chainPem = (await Promise.all(layout.chain.map(read))).flatMap(splitPemCertificates);
    const rootsPem = splitPemCertificates(await read(layout.roots));
    let keyPem: string;
    try {
      keyPem = toPkcs8Pem(await read(layout.signingKey), layout.signingKey);
    } catch (err) {
      throw err instanceof InvalidCaMaterialError ? err : new InvalidCaMaterialError(err instanceof Error ? err.message : `${layout.signingKey}: the key cannot be read`);
    }
    const raw = caKeyMaterial({ signingCertPem, signingKeyPem: keyPem, intermediatesPem: chainPem, rootCertsPem: rootsPem, source: 'plugged-in' });
    const v = await validateKeyMaterial(raw, { sources, now: this.#now() });
    // Keep only the path the signing cert takes, in order, and put its root first ("current root first").
    return caKeyMaterial({
      signingCertPem,
      signingKeyPem: keyPem,
      intermediatesPem: certificatesPem(v.intermediatesDer),
      rootCertsPem: certificatesPem([v.anchorRootDer, ...v.rootsDer.filter((r) => !r.equals(v.anchorRootDer))]),
      source: 'plugged-in',
    });
  }

  async loadSelfSigned(): Promise<CaKeyMaterial | undefined> {
    const current = await this.#selfSigned.current();
    return current === undefined ? undefined : this.#readActive(current.dir);
  }

  async saveSelfSignedIfAbsent(m: CaKeyMaterial): Promise<CaKeyMaterial> {
    const stored = await this.loadSelfSigned();
    if (stored !== undefined) return stored;
    const dir = this.#selfSigned.path;
    // Written whole into a generation directory, then linked into place: readers see all the files or none,
    // and a concurrent writer's claim fails instead of mixing two CAs.
    const outcome = await this.#selfSigned.create(stateFiles({ active: m }));
    const now = await this.loadSelfSigned();
    if (now !== undefined) return now;
    if (outcome === 'exists') {
      const entries = await readdir(dir).catch(() => []);
      throw new InvalidCaMaterialError(`cannot create the self-signed CA in ${dir}: the directory is not empty (${entries.length} entries) and holds no ${CaFiles.caCert}`);
    }
    throw new InvalidCaMaterialError(`the self-signed CA written to ${dir} cannot be read back`);
  }

  async loadSelfSignedState(): Promise<StoredSelfSignedCa | undefined> {
    const current = await this.#selfSigned.current();
    if (current === undefined) return undefined;
    const state = await this.#readState(current.dir);
    return state === undefined ? undefined : { state, version: current.version };
  }

  async replaceSelfSigned(next: SelfSignedCaState, expectedVersion: string): Promise<StoredSelfSignedCa | undefined> {
    checkSelfSignedState(next, `self-signed CA for ${this.#selfSigned.path}`);
    const written = await this.#selfSigned.replace(stateFiles(next), expectedVersion);
    if (written === undefined) return undefined;
    const state = await this.#readState(written.dir);
    if (state === undefined) throw new InvalidCaMaterialError(`the self-signed CA written to ${written.dir} cannot be read back`);
    return { state, version: written.version };
  }

  /** The self-signed CA and any rotation in progress, from one generation's directory. */
  async #readState(dir: string): Promise<SelfSignedCaState | undefined> {
    const active = await this.#readActive(dir);
    if (active === undefined) return undefined;
    const certFile = path.join(dir, NEXT_CA_CERT_FILE);
    const keyFile = path.join(dir, NEXT_CA_KEY_FILE);
    const rotationFile = path.join(dir, ROOT_ROTATION_FILE);
    const [hasCert, hasKey, hasRotation] = await Promise.all([exists(certFile), exists(keyFile), exists(rotationFile)]);
    let introduced: CaKeyMaterial | undefined;
    if (hasCert || hasKey) {
      if (!hasCert || !hasKey) throw new InvalidCaMaterialError(`incomplete root rotation in ${dir}: ${hasCert ? NEXT_CA_KEY_FILE : NEXT_CA_CERT_FILE} is missing`);
      introduced = await this.#readRoot(certFile, keyFile, [], certFile);
    }
    const rotation = hasRotation ? decodeRootRotation(await read(rotationFile), rotationFile) : undefined;
    const state: SelfSignedCaState = { active, ...(introduced ? { introduced } : {}), ...(rotation ? { rotation } : {}) };
    checkSelfSignedState(state, dir);
    return state;
  }

  /** ca-cert.pem signs; the bundle is root-cert.pem in its order, with ca-cert.pem in front only when root-cert.pem lacks it. */
  async #readActive(dir: string): Promise<CaKeyMaterial | undefined> {
    const certFile = path.join(dir, CaFiles.caCert);
    const keyFile = path.join(dir, CaFiles.caKey);
    const [hasCert, hasKey] = await Promise.all([exists(certFile), exists(keyFile)]);
    if (!hasCert && !hasKey) return undefined;
    if (!hasCert || !hasKey) throw new InvalidCaMaterialError(`incomplete self-signed CA in ${dir}: ${hasCert ? CaFiles.caKey : CaFiles.caCert} is missing`);
    const rootFile = path.join(dir, CaFiles.rootCert);
    const storedRoots = (await exists(rootFile)) ? splitPemCertificates(await read(rootFile)) : [];
    return this.#readRoot(certFile, keyFile, storedRoots, `${certFile} + ${rootFile}`);
  }

  /** A self-signed root and its key, validated, trusted with `storedRoots` (the root itself goes first unless listed there). */
  async #readRoot(certFile: string, keyFile: string, storedRoots: readonly string[], rootsSource: string): Promise<CaKeyMaterial> {
    const signingCertPem = splitPemCertificates(await read(certFile))[0];
    if (signingCertPem === undefined) throw new InvalidCaMaterialError(`${certFile}: no PEM CERTIFICATE found`);
    let keyPem: string;
    try {
      keyPem = toPkcs8Pem(await read(keyFile), keyFile);
    } catch (err) {
      throw err instanceof InvalidCaMaterialError ? err : new InvalidCaMaterialError(err instanceof Error ? err.message : `${keyFile}: the key cannot be read`);
    }
    const listed = storedRoots.some((r) => sameCertificate(r, signingCertPem));
    const material = caKeyMaterial({ signingCertPem, signingKeyPem: keyPem, intermediatesPem: [], rootCertsPem: listed ? storedRoots : [signingCertPem, ...storedRoots], source: 'self-signed' });
    const v = await validateKeyMaterial(material, { sources: { signingCert: certFile, signingKey: keyFile, intermediates: certFile, roots: rootsSource }, now: this.#now() });
    if (!v.anchorRootDer.equals(v.signingCertDer)) throw new InvalidCaMaterialError(`${certFile}: the self-signed CA certificate is not self-signed`);
    return caKeyMaterial({ ...material, signingKeyPem: keyPem, rootCertsPem: certificatesPem(v.rootsDer) });
  }

  async #pluggedInLayout(dir: string): Promise<PluggedInLayout | undefined> {
    const file = (name: string): string => path.join(dir, name);
    if (await exists(file(CaFiles.tlsCert))) {
      const layout = { signingCert: file(CaFiles.tlsCert), signingKey: file(CaFiles.tlsKey), roots: file(CaFiles.tlsRoot), chain: [file(CaFiles.tlsCert), file(CaFiles.tlsRoot)] };
      await this.#requireAll(dir, [layout.signingKey, layout.roots]);
      return layout;
    }
    const istiod = { signingCert: file(CaFiles.caCert), signingKey: file(CaFiles.caKey), roots: file(CaFiles.rootCert), chain: [file(CaFiles.certChain)] };
    const all = [istiod.signingCert, istiod.signingKey, istiod.roots, ...istiod.chain];
    const present = await Promise.all(all.map(exists));
    if (present.every((p) => !p)) return undefined;
    await this.#requireAll(dir, all);
    return istiod;
  }

  async #requireAll(dir: string, files: readonly string[]): Promise<void> {
    const missing: string[] = [];
    for (const f of files) if (!(await exists(f))) missing.push(path.basename(f));
    if (missing.length > 0) throw new InvalidCaMaterialError(`incomplete plugged-in CA in ${dir}: ${missing.join(', ')} missing`);
  }
}

/** The files of a stored self-signed CA: istio-ca-secret's, and a rotation's while one is in progress. */
function stateFiles(state: SelfSignedCaState): GenerationFile[] {
  const pem = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);
  const files: GenerationFile[] = [
    { name: CaFiles.caCert, content: pem(state.active.signingCertPem), mode: 0o644 },
    { name: CaFiles.caKey, content: state.active.signingKeyPem, mode: 0o600 },
    { name: CaFiles.rootCert, content: state.active.rootCertsPem.map(pem).join(''), mode: 0o644 },
    // istio-ca-secret carries an empty cert-chain.pem: a root has no chain above it.
    { name: CaFiles.certChain, content: '', mode: 0o644 },
  ];
  if (state.introduced) {
    files.push({ name: NEXT_CA_CERT_FILE, content: pem(state.introduced.signingCertPem), mode: 0o644 });
    files.push({ name: NEXT_CA_KEY_FILE, content: state.introduced.signingKeyPem, mode: 0o600 });
  }
  if (state.rotation) files.push({ name: ROOT_ROTATION_FILE, content: encodeRootRotation(state.rotation), mode: 0o644 });
  return files;
}

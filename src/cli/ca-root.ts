/**
 * `tsiod ca root`: the trust bundle (PEM) of the CA tsiod serves with, so a
 * local Envoy or gRPC client can verify tsiod's CA and xDS port (15012).
 * The CA is read as `tsiod serve` reads it: a plugged-in CA wins over the
 * self-signed root kept in the state directory.
 *
 *   tsiod ca root [--state-dir D] [--plugged-in-ca-dir P]
 */
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import type { CaStore } from '../ca/ca-store.js';
import { FileCaStore } from '../ca/file-ca-store.js';

/** Where in a state directory the self-signed CA lives; `tsiod serve` must use the same (stateDirCaStore). */
export const STATE_DIR_CA_SUBDIR = 'ca';

/** File mode's CA store for a state directory, optionally with an operator's plugged-in CA directory. */
export function stateDirCaStore(o: { readonly stateDir: string; readonly pluggedInDir?: string }): FileCaStore {
  return new FileCaStore({ selfSignedDir: path.join(o.stateDir, STATE_DIR_CA_SUBDIR), ...(o.pluggedInDir !== undefined ? { pluggedInDir: o.pluggedInDir } : {}) });
}

/** The roots of the stored CA, current first; throws naming the store when there is none yet. */
export async function trustBundleFromStore(store: CaStore): Promise<string[]> {
  const material = (await store.loadPluggedIn()) ?? (await store.loadSelfSigned());
  if (!material) throw new Error(`no CA in ${store.describe()} yet: run \`tsiod serve\` with this state directory once to create one`);
  const roots = material.rootCertsPem.map((pem) => (pem.endsWith('\n') ? pem : `${pem}\n`));
  for (const [i, pem] of roots.entries()) {
    try {
      new X509Certificate(pem);
    } catch {
      throw new Error(`root certificate ${i + 1} in ${store.describe()} cannot be read as X.509`);
    }
  }
  return roots;
}

export interface CaRootOptions {
  readonly stateDir: string;
  readonly pluggedInDir?: string;
}

/** The command: prints the bundle, one PEM certificate after another. */
export async function runCaRoot(options: CaRootOptions | CaStore, write: (text: string) => void = (t) => process.stdout.write(t)): Promise<void> {
  const store = 'describe' in options ? options : stateDirCaStore(options);
  write((await trustBundleFromStore(store)).join(''));
}

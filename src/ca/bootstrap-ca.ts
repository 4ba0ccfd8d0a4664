/**
 * Picks the CA tsiod signs with at start, in istiod's order: a plugged-in CA
 * (cacerts) when there is one, else the self-signed CA stored earlier, else a
 * new self-signed root, made under the creation lock (a Lease in a cluster)
 * so that replicas starting together end up sharing one root.
 */
import { CertificateAuthority } from './certificate-authority.js';
import type { CaKeyMaterial } from './ca-key-material.js';
import type { CaStore } from './ca-store.js';
import { sameCertificate } from './pem.js';
import { createSelfSignedRoot, type RootKeyAlgorithm } from './self-signed-root.js';

export interface LoadOrCreateCaOptions {
  readonly trustDomain: string;
  /** Key of a new self-signed root: RSA 2048 (istiod's default) or ECDSA P-256. */
  readonly algorithm?: RootKeyAlgorithm;
  /** Validity of a new self-signed root; default ten years. */
  readonly rootValidForSeconds?: number;
  readonly defaultTtlSeconds?: number;
  readonly maxTtlSeconds?: number;
  readonly now?: () => Date;
}

/** Runs `fn` while holding a lock shared by every replica (cluster mode); none in file mode. */
export type CreationLock = <T>(fn: () => Promise<T>) => Promise<T>;

export interface LoadedCa {
  readonly authority: CertificateAuthority;
  readonly material: CaKeyMaterial;
  /** plugged-in: the operator's CA; stored: a self-signed CA made earlier (or by another replica); created: made now. */
  readonly origin: 'plugged-in' | 'stored' | 'created';
}

const noLock: CreationLock = (fn) => fn();

export async function loadOrCreateCa(store: CaStore, options: LoadOrCreateCaOptions, creationLock: CreationLock = noLock): Promise<LoadedCa> {
  const authority = (material: CaKeyMaterial): Promise<CertificateAuthority> =>
    CertificateAuthority.fromKeyMaterial(material, {
      trustDomain: options.trustDomain,
      ...(options.defaultTtlSeconds !== undefined ? { defaultTtlSeconds: options.defaultTtlSeconds } : {}),
      ...(options.maxTtlSeconds !== undefined ? { maxTtlSeconds: options.maxTtlSeconds } : {}),
      ...(options.now !== undefined ? { now: options.now } : {}),
    });

  const pluggedIn = await store.loadPluggedIn();
  if (pluggedIn !== undefined) return { authority: await authority(pluggedIn), material: pluggedIn, origin: 'plugged-in' };

  const stored = await store.loadSelfSigned();
  if (stored !== undefined) return { authority: await authority(stored), material: stored, origin: 'stored' };

  const { material, origin } = await creationLock(async () => {
    // Another replica may have created it while this one waited for the lock.
    const created = await store.loadSelfSigned();
    if (created !== undefined) return { material: created, origin: 'stored' as const };
    const fresh = await createSelfSignedRoot({
      trustDomain: options.trustDomain,
      ...(options.algorithm !== undefined ? { algorithm: options.algorithm } : {}),
      ...(options.rootValidForSeconds !== undefined ? { validForSeconds: options.rootValidForSeconds } : {}),
      ...(options.now !== undefined ? { now: options.now() } : {}),
    });
    const saved = await store.saveSelfSignedIfAbsent(fresh);
    return { material: saved, origin: sameCertificate(saved.signingCertPem, fresh.signingCertPem) ? ('created' as const) : ('stored' as const) };
  });
  return { authority: await authority(material), material, origin };
}

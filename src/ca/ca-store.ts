/**
 * Where the CA's key material lives: a state directory in file mode, Secrets
 * in a cluster. A plugged-in CA (Istio's `cacerts`) wins over the self-signed
 * one; the self-signed root is created once and shared by every replica.
 *
 * A root rotation changes the self-signed CA in steps (new root trusted, then
 * signing, then the old one retired), each written with a compare-and-swap so
 * that replicas never overwrite each other's step, and each stored whole, so
 * that a restarted replica or another one rebuilds the same trust bundle and
 * carries the rotation on from where it stands.
 */
import type { CaKeyMaterial } from './ca-key-material.js';

/** Where a root rotation stands, and when its next step is due. */
export type RootRotation =
  /** The new root is in the bundle and waits (with its key) for activation; the old root still signs. */
  | { readonly phase: 'introduced'; readonly introducedAt: Date; readonly activateAt: Date }
  /** The new root signs; the old ones (by SHA-256 of their DER, lower-case hex) stay trusted until retireAt. */
  | { readonly phase: 'activated'; readonly activatedAt: Date; readonly retireAt: Date; readonly retiringRootsSha256: readonly string[] };

/** The self-signed CA as stored, with what a rotation in progress keeps beside it. */
export interface SelfSignedCaState {
  /** The root that signs and its key. Its rootCertsPem is the whole trust bundle, in the order it is served. */
  readonly active: CaKeyMaterial;
  /** A new root already in the bundle that does not sign yet, with its key; present exactly in phase 'introduced'. */
  readonly introduced?: CaKeyMaterial;
  readonly rotation?: RootRotation;
}

export interface StoredSelfSignedCa {
  readonly state: SelfSignedCaState;
  /** Opaque; changes with every write. replaceSelfSigned is told the version it replaces. */
  readonly version: string;
}

export interface CaStore {
  /** What and where, for logs, e.g. "Secret istio-system/istio-ca-secret" (never key material). */
  describe(): string;
  /** The operator's CA (cacerts); undefined when there is none. Throws, naming the file or key, when it is present but unusable. */
  loadPluggedIn(): Promise<CaKeyMaterial | undefined>;
  /** The self-signed CA made earlier (its rootCertsPem is the whole stored bundle); undefined when none was stored yet. */
  loadSelfSigned(): Promise<CaKeyMaterial | undefined>;
  /** Stores `m` unless a self-signed CA is already stored; returns what is stored (another replica may have won). */
  saveSelfSignedIfAbsent(m: CaKeyMaterial): Promise<CaKeyMaterial>;
  /** The self-signed CA with its rotation state and version; undefined when none was stored yet. */
  loadSelfSignedState(): Promise<StoredSelfSignedCa | undefined>;
  /**
   * Compare-and-swap: stores `next` if what is stored is still `expectedVersion`,
   * and returns it as stored (with its new version); undefined when another
   * writer changed it first (nothing is written then).
   */
  replaceSelfSigned(next: SelfSignedCaState, expectedVersion: string): Promise<StoredSelfSignedCa | undefined>;
}

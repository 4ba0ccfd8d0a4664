/**
 * Follows an operator's plugged-in CA (Istio's `cacerts`: a directory in
 * file mode, the Secret in a cluster) after start, as istiod's
 * handleCACertsFileWatch/handleEvent does for its cacerts mount: when the
 * material changes and validates, the CA signs with the new material and its
 * trust bundle becomes the new roots.
 *
 * istiod is notified by fsnotify; tsiod polls the store, which works the same
 * for a directory and a Secret (a mounted Secret changes by a symlink swap,
 * which file events report unreliably anyway).
 *
 * istiod's rule for the roots is kept: a new intermediate under the same roots
 * is always taken; a changed root bundle only when one bundle holds the other
 * (adding a new root beside the old one, or dropping the old one afterwards),
 * so that no workload is left holding a certificate its peers stop trusting.
 * istiod takes even that only with ISTIO_MULTIROOT_MESH, as its sidecars learn
 * a new root only through that feature; tsiod serves ROOTCA from the CA's
 * bundle and pushes every change, so it allows it by default.
 *
 * Unusable material (partial, unparsable, not matching its key, not chaining)
 * is logged, naming the file or Secret key the store's error names and never
 * any content, and the CA in force stays. The same problem is logged once,
 * not at every poll.
 */
import { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import type { CaKeyMaterial } from './ca-key-material.js';
import type { CaStore } from './ca-store.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { systemClock, type CacheClock } from './workload-certificate-cache.js';

/** Between two reads of the plugged-in CA. A mounted Secret takes up to a minute to reach the files anyway. */
export const DEFAULT_PLUGGED_IN_CA_CHECK_INTERVAL_MS = 10_000;

export interface PluggedInCaWatcherOptions {
  readonly store: Pick<CaStore, 'loadPluggedIn' | 'describe'>;
  readonly authority: Pick<CertificateAuthority, 'adoptPluggedIn'>;
  /** The plugged-in material the CA signs with now (what bootstrap loaded). */
  readonly current: CaKeyMaterial;
  readonly logger: Logger;
  readonly checkIntervalMs?: number;
  readonly clock?: CacheClock;
  /** Whether a root bundle that adds or drops roots is taken (istiod: ISTIO_MULTIROOT_MESH). Default true. */
  readonly allowRootChange?: boolean;
}

/** What one check found. */
export type PluggedInCaCheck =
  | 'unchanged'
  /** The new material signs now. */
  | 'adopted'
  /** The store holds no plugged-in CA any more; the CA in force stays. */
  | 'absent'
  /** The new material does not validate; the CA in force stays. */
  | 'invalid'
  /** The new roots neither hold nor are held by the current ones (or root changes are off); the CA in force stays. */
  | 'root-change-refused';

export class PluggedInCaWatcher {
  readonly #o: PluggedInCaWatcherOptions;
  readonly #clock: CacheClock;
  readonly #intervalMs: number;
  #current: CaKeyMaterial;
  /** The problem last logged, so that a poll finding the same one stays quiet. */
  #lastProblem: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #cancelTimer: (() => void) | undefined;
  #started = false;
  #stopped = false;

  constructor(o: PluggedInCaWatcherOptions) {
    const interval = o.checkIntervalMs ?? DEFAULT_PLUGGED_IN_CA_CHECK_INTERVAL_MS;
    if (!(Number.isFinite(interval) && interval > 0)) throw new Error(`the plugged-in CA check interval must be a positive duration, got ${interval} ms`);
    this.#o = o;
    this.#clock = o.clock ?? systemClock;
    this.#intervalMs = interval;
    this.#current = o.current;
  }

  /** The plugged-in material the CA signs with now. */
  get current(): CaKeyMaterial {
    return this.#current;
  }

  /** Checks at every interval from now on. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#schedule();
  }

  /** Stops checking; resolves once a check under way has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    for (;;) {
      const queue = this.#queue;
      await queue.catch(() => undefined);
      if (queue === this.#queue) return;
    }
  }

  /** One check now, in turn with the scheduled ones. */
  checkNow(): Promise<PluggedInCaCheck> {
    const run = this.#queue.catch(() => undefined).then(() => this.#check());
    this.#queue = run;
    return run;
  }

  #schedule(): void {
    this.#cancelTimer = this.#clock.setTimer(this.#intervalMs, () => {
      this.#cancelTimer = undefined;
      if (this.#stopped) return;
      void this.checkNow().finally(() => {
        if (!this.#stopped) this.#schedule();
      });
    });
  }

  async #check(): Promise<PluggedInCaCheck> {
    const where = this.#o.store.describe();
    let next: CaKeyMaterial | undefined;
    try {
      next = await this.#o.store.loadPluggedIn();
    } catch (error) {
      // The store's errors name the file or Secret key at fault, never its content.
      this.#problem(`the plugged-in CA cannot be used: ${errorText(error)}`, where);
      return 'invalid';
    }
    if (next === undefined) {
      this.#problem('the plugged-in CA is gone; keeping the one loaded before', where);
      return 'absent';
    }
    if (sameMaterial(next, this.#current)) {
      this.#lastProblem = undefined;
      return 'unchanged';
    }
    const rootsChanged = !sameCertificateSet(next.rootCertsPem, this.#current.rootCertsPem);
    if (rootsChanged && !(this.#o.allowRootChange !== false && oneHoldsTheOther(next.rootCertsPem, this.#current.rootCertsPem))) {
      this.#problem(
        this.#o.allowRootChange === false
          ? 'the plugged-in CA has new roots and root changes are off; keeping the current CA'
          : 'the plugged-in roots neither hold nor are held by the current ones (add the new root beside the old one first); keeping the current CA',
        where,
      );
      return 'root-change-refused';
    }
    try {
      await this.#o.authority.adoptPluggedIn(next);
    } catch (error) {
      this.#problem(`the new plugged-in CA does not validate: ${errorText(error)}`, where);
      return 'invalid';
    }
    this.#current = next;
    this.#lastProblem = undefined;
    this.#o.logger.info(
      { store: where, roots: next.rootCertsPem.length, rootsChanged, signingCertExpiry: new X509Certificate(next.signingCertPem).validTo },
      'plugged-in CA changed; signing with the new material',
    );
    return 'adopted';
  }

  #problem(message: string, where: string): void {
    if (message === this.#lastProblem) return;
    this.#lastProblem = message;
    this.#o.logger.error({ store: where }, message);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A certificate PEM as base64 DER, so that PEM texts differing only in layout compare equal. */
function der(pem: string): string {
  return Buffer.from(new X509Certificate(pem).raw).toString('base64');
}

function sameMaterial(a: CaKeyMaterial, b: CaKeyMaterial): boolean {
  const list = (pems: readonly string[]): string => pems.map(der).join('|');
  return (
    der(a.signingCertPem) === der(b.signingCertPem) &&
    a.signingKeyPem === b.signingKeyPem &&
    list(a.intermediatesPem) === list(b.intermediatesPem) &&
    list(a.rootCertsPem) === list(b.rootCertsPem)
  );
}

function sameCertificateSet(a: readonly string[], b: readonly string[]): boolean {
  const setA = new Set(a.map(der));
  const setB = new Set(b.map(der));
  return setA.size === setB.size && [...setA].every((x) => setB.has(x));
}

/** istiod's pemBundleHasSubsetRelation: one non-empty bundle holds every certificate of the other. */
function oneHoldsTheOther(a: readonly string[], b: readonly string[]): boolean {
  const setA = new Set(a.map(der));
  const setB = new Set(b.map(der));
  if (setA.size === 0 || setB.size === 0) return false;
  return [...setA].every((x) => setB.has(x)) || [...setB].every((x) => setA.has(x));
}

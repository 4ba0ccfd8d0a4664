/**
 * Rotates tsiod's self-signed root before it expires, the job of istiod's
 * SelfSignedCARootCertRotator (security/pkg/pki/ca/selfsignedcarootcertrotator.go):
 * every check interval (CITADEL_SELF_SIGNED_ROOT_CERT_CHECK_INTERVAL, 1h) the
 * stored root is looked at, and once it is within its grace period
 * (CITADEL_SELF_SIGNED_ROOT_CERT_GRACE_PERIOD_PERCENTILE, 20% of its lifetime
 * before expiry; or when it has expired) a new one is made.
 *
 * istiod re-certifies the old key, so leaves of the old root verify under the
 * new one and it swaps at once. tsiod makes a new key (same algorithm, same
 * trust domain), so the swap is done in steps, each stored before it takes
 * effect, so that nothing breaks meanwhile:
 *
 *   introduce  the new root joins the trust bundle (new first, old after);
 *              the old root still signs. Proxies get ROOTCA, namespaces the
 *              istio-ca-root-cert ConfigMap, before any leaf is signed by it.
 *   activate   after the overlap, the new root signs. Old-root leaves still
 *              verify: the old root stays in the bundle.
 *   retire     once every leaf the old root signed has expired (the longest
 *              workload TTL after activation, plus a check interval for
 *              replicas to follow and a margin for clock skew; at the latest
 *              when the old root itself expires), the old root leaves the bundle.
 *
 * Every replica runs one. Each check reloads the store and makes the CA match
 * it (how replicas that did not rotate follow, and how a restart resumes). A
 * step that is due is taken under the lock (the Lease in a cluster) and
 * written with a compare-and-swap, so one replica takes it and the others
 * adopt it. Replicas also check when the next step is due.
 *
 * A plugged-in CA (cacerts) is never rotated, as istiod never rotates one.
 */
import { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import type { CreationLock, LoadedCa } from './bootstrap-ca.js';
import { caKeyMaterial, type CaKeyMaterial } from './ca-key-material.js';
import type { CaStore, RootRotation, SelfSignedCaState, StoredSelfSignedCa } from './ca-store.js';
import { MAX_WORKLOAD_CERT_TTL_SECONDS, DEFAULT_WORKLOAD_CERT_TTL_SECONDS } from './certificate-authority.js';
import { certificateSha256 } from './root-rotation-record.js';
import { createSelfSignedRoot, DEFAULT_ROOT_VALIDITY_SECONDS, type RootKeyAlgorithm } from './self-signed-root.js';
import { systemClock, type CacheClock } from './workload-certificate-cache.js';

/** istiod's defaults (security/pkg/cmd/constants.go). */
export const DEFAULT_ROOT_GRACE_PERIOD_PERCENTILE = 20;
export const DEFAULT_ROOT_CHECK_INTERVAL_MS = 3_600_000;
/**
 * A workload certificate's default lifetime: pilot-agent renews at half of it
 * and learns the trust bundle from the CA's answer, so by then every
 * pilot-agent has asked once since the new root was introduced.
 */
export const DEFAULT_ROOT_OVERLAP_MS = DEFAULT_WORKLOAD_CERT_TTL_SECONDS * 1000;
/** Clocks of replicas and peers disagree a little; a retired root must outlast that. */
const CLOCK_SKEW_MARGIN_MS = 5 * 60_000;
/**
 * A new root starts this far back (util.ClockSkewGracePeriod, as leaves do): a
 * replica whose clock is a little behind the one that made it must still find
 * it valid when it adopts it. istiod starts its roots now, but adopts a root
 * only on the replica that made it.
 */
const NEW_ROOT_BACKDATE_MS = 2 * 60_000;
/** After a failed check (store or lock unreachable), the next comes sooner than a check interval. */
const RETRY_AFTER_FAILURE_MS = 60_000;
/** Never check again sooner than this, whatever is due (a due step that keeps failing must not spin). */
const MIN_DELAY_MS = 1_000;

export interface SelfSignedRootRotatorOptions {
  /** The CA bootstrap loaded; a plugged-in one is left alone. */
  readonly ca: LoadedCa;
  readonly store: CaStore;
  /** The new root's organization (as a self-signed root is made). */
  readonly trustDomain: string;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  /** Rotate when this share of the root's lifetime is left; 0 < p < 100. */
  readonly gracePeriodPercentile?: number;
  readonly checkIntervalMs?: number;
  /** Between introduction and activation; at least a check interval, so every replica has the new root before it signs. */
  readonly overlapMs?: number;
  /** The longest lifetime the CA grants (MAX_WORKLOAD_CERT_TTL): how long an old-root leaf may live after activation. */
  readonly maxWorkloadCertTtlSeconds?: number;
  /** Lifetime of a new root; default ten years (istiod's CITADEL_SELF_SIGNED_CA_CERT_TTL). */
  readonly rootValidForSeconds?: number;
  /** Held while a step is taken: the Lease lock in a cluster. */
  readonly lock?: CreationLock;
  readonly clock?: CacheClock;
}

export type RotationPhase = 'none' | RootRotation['phase'];

/** Where things stand, for logs, debug output and tests. */
export interface RotationStatus {
  readonly phase: RotationPhase | 'plugged-in' | 'unknown';
  /** When the next step is due: the grace period's start (none), activation, or retirement. */
  readonly nextStepAt?: Date;
  /** The version of the stored state this replica's CA matches. */
  readonly version?: string;
}

type Step = 'introduce' | 'activate' | 'retire';

const noLock: CreationLock = (fn) => fn();

export class SelfSignedRootRotator {
  readonly #o: SelfSignedRootRotatorOptions;
  readonly #clock: CacheClock;
  readonly #graceFraction: number;
  readonly #checkIntervalMs: number;
  readonly #overlapMs: number;
  readonly #maxLeafLifetimeMs: number;
  readonly #lock: CreationLock;
  #applied: StoredSelfSignedCa | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #cancelTimer: (() => void) | undefined;
  #started = false;
  #stopped = false;

  constructor(o: SelfSignedRootRotatorOptions) {
    const percentile = o.gracePeriodPercentile ?? DEFAULT_ROOT_GRACE_PERIOD_PERCENTILE;
    if (!(percentile > 0 && percentile < 100)) throw new Error(`the root grace period percentile must be between 0 and 100 (exclusive), got ${percentile}`);
    const checkIntervalMs = o.checkIntervalMs ?? DEFAULT_ROOT_CHECK_INTERVAL_MS;
    if (!(Number.isFinite(checkIntervalMs) && checkIntervalMs > 0)) throw new Error(`the root check interval must be a positive duration, got ${checkIntervalMs} ms`);
    const overlapMs = o.overlapMs ?? Math.max(DEFAULT_ROOT_OVERLAP_MS, checkIntervalMs);
    if (!(Number.isFinite(overlapMs) && overlapMs >= checkIntervalMs)) {
      throw new Error(`the root overlap (${overlapMs} ms) must be at least the check interval (${checkIntervalMs} ms): every replica must see the new root before it signs`);
    }
    const maxTtl = o.maxWorkloadCertTtlSeconds ?? MAX_WORKLOAD_CERT_TTL_SECONDS;
    if (!(Number.isFinite(maxTtl) && maxTtl > 0)) throw new Error(`the longest workload certificate lifetime must be positive, got ${maxTtl} s`);
    this.#o = o;
    this.#clock = o.clock ?? systemClock;
    this.#graceFraction = percentile / 100;
    this.#checkIntervalMs = checkIntervalMs;
    this.#overlapMs = overlapMs;
    this.#maxLeafLifetimeMs = maxTtl * 1000;
    this.#lock = o.lock ?? noLock;
  }

  /** Checks now, then at each interval and whenever a step falls due. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    if (this.#pluggedIn()) {
      this.#o.logger.info('root rotation: the CA is plugged in (cacerts); tsiod rotates only its own self-signed root');
      return;
    }
    this.#runScheduled();
  }

  /** Stops checking; resolves once a check under way has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    await this.settled();
  }

  /** Resolves once no check is under way. */
  async settled(): Promise<void> {
    for (;;) {
      const queue = this.#queue;
      await queue.catch(() => undefined);
      if (queue === this.#queue) return;
    }
  }

  /** One check, as the timer runs it: follow the store, and take the step that is due. */
  checkNow(): Promise<RotationStatus> {
    return this.#serial(() => this.#check(false));
  }

  /** Begins a rotation now, whatever the root's age (an operator's command). A rotation under way goes on at its own pace. */
  rotateNow(): Promise<RotationStatus> {
    if (this.#pluggedIn()) return Promise.reject(new Error('the CA is plugged in (cacerts): tsiod rotates only its own self-signed root; replace cacerts to rotate a plugged-in CA'));
    return this.#serial(() => this.#check(true));
  }

  #pluggedIn(): boolean {
    return this.#o.ca.origin === 'plugged-in';
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.catch(() => undefined).then(fn);
    this.#queue = run;
    return run;
  }

  #runScheduled(): void {
    void this.#serial(async () => {
      if (this.#stopped) return;
      let delay: number;
      try {
        const status = await this.#check(false);
        const untilDue = status.nextStepAt === undefined ? Infinity : status.nextStepAt.getTime() - this.#clock.now();
        delay = Math.max(MIN_DELAY_MS, Math.min(this.#checkIntervalMs, untilDue));
      } catch (error) {
        delay = Math.min(this.#checkIntervalMs, RETRY_AFTER_FAILURE_MS);
        this.#o.logger.error({ store: this.#o.store.describe(), err: errorText(error), retryInMs: delay }, 'root rotation: check failed; retrying');
      }
      if (this.#stopped) return;
      this.#cancelTimer = this.#clock.setTimer(delay, () => {
        this.#cancelTimer = undefined;
        this.#runScheduled();
      });
    });
  }

  async #check(force: boolean): Promise<RotationStatus> {
    if (this.#pluggedIn()) return { phase: 'plugged-in' };
    let stored = await this.#follow();
    if (stored === undefined) return { phase: 'unknown' };
    if (this.#dueStep(stored.state, force) !== undefined) stored = (await this.#lock(() => this.#takeStep(force))) ?? stored;
    return this.#status(stored);
  }

  /** Loads the stored state and makes the CA match it. */
  async #follow(): Promise<StoredSelfSignedCa | undefined> {
    const stored = await this.#o.store.loadSelfSignedState();
    if (stored === undefined) {
      this.#o.logger.warn({ store: this.#o.store.describe() }, 'root rotation: no self-signed CA is stored; nothing to follow');
      return undefined;
    }
    await this.#adopt(stored);
    return stored;
  }

  /** Makes the CA match `stored`; `written` when this replica wrote it (its own step is logged as such). */
  async #adopt(stored: StoredSelfSignedCa, written = false): Promise<void> {
    if (stored.version === this.#applied?.version) return;
    const before = this.#applied;
    await this.#o.ca.authority.adoptStoredState(stored.state.active, stored.state.introduced);
    this.#applied = stored;
    const phase = stored.state.rotation?.phase ?? 'none';
    if (!written && before !== undefined && (before.state.rotation?.phase ?? 'none') !== phase) {
      this.#o.logger.info({ phase, roots: stored.state.active.rootCertsPem.length, signingRootExpiry: notAfter(stored.state.active.signingCertPem).toISOString() }, 'root rotation: now following the stored state');
    }
  }

  /** Under the lock: reload, and take the step if it is still due. Undefined when another writer moved first. */
  async #takeStep(force: boolean): Promise<StoredSelfSignedCa | undefined> {
    const stored = await this.#follow();
    if (stored === undefined) return undefined;
    const step = this.#dueStep(stored.state, force);
    if (step === undefined) return stored;
    const next = await this.#nextState(step, stored.state);
    const written = await this.#o.store.replaceSelfSigned(next, stored.version);
    if (written === undefined) {
      this.#o.logger.info({ step }, 'root rotation: the store changed meanwhile (another replica); following it instead');
      return this.#follow();
    }
    await this.#adopt(written, true);
    this.#o.logger.info({ step, ...describeRotation(written.state) }, `root rotation: ${step}d`);
    return written;
  }

  #dueStep(state: SelfSignedCaState, force: boolean): Step | undefined {
    const now = this.#clock.now();
    const rotation = state.rotation;
    if (rotation?.phase === 'introduced') return now >= rotation.activateAt.getTime() ? 'activate' : undefined;
    if (rotation?.phase === 'activated') return now >= rotation.retireAt.getTime() ? 'retire' : undefined;
    return force || now >= this.#graceStart(state.active.signingCertPem) ? 'introduce' : undefined;
  }

  /** istiod's GetWaitTime: the grace period is the last share of the root's lifetime. */
  #graceStart(certPem: string): number {
    const cert = new X509Certificate(certPem);
    const from = new Date(cert.validFrom).getTime();
    const to = new Date(cert.validTo).getTime();
    return to - (to - from) * this.#graceFraction;
  }

  async #nextState(step: Step, state: SelfSignedCaState): Promise<SelfSignedCaState> {
    const now = this.#clock.now();
    const { active } = state;
    switch (step) {
      case 'introduce': {
        const root = await createSelfSignedRoot({
          trustDomain: this.#o.trustDomain,
          algorithm: algorithmOf(active.signingCertPem),
          validForSeconds: this.#o.rootValidForSeconds ?? DEFAULT_ROOT_VALIDITY_SECONDS,
          now: new Date(now - NEW_ROOT_BACKDATE_MS),
        });
        return {
          active: rootMaterial(active, [root.signingCertPem, ...active.rootCertsPem]),
          introduced: root,
          rotation: { phase: 'introduced', introducedAt: new Date(now), activateAt: new Date(now + this.#overlapMs) },
        };
      }
      case 'activate': {
        const introduced = state.introduced;
        if (introduced === undefined) throw new Error('root rotation: the stored state is in phase "introduced" without the introduced root');
        const oldRoot = active.signingCertPem;
        // Every leaf the old root signed ends by then: signed before now (or before a replica follows, within a check interval).
        const lastLeafEnd = now + this.#maxLeafLifetimeMs + this.#checkIntervalMs + CLOCK_SKEW_MARGIN_MS;
        return {
          active: rootMaterial(introduced, [introduced.signingCertPem, ...active.rootCertsPem]),
          rotation: { phase: 'activated', activatedAt: new Date(now), retireAt: new Date(Math.min(lastLeafEnd, notAfter(oldRoot).getTime())), retiringRootsSha256: [certificateSha256(oldRoot)] },
        };
      }
      case 'retire': {
        const retiring = new Set(state.rotation?.phase === 'activated' ? state.rotation.retiringRootsSha256 : []);
        const signing = certificateSha256(active.signingCertPem);
        return { active: rootMaterial(active, active.rootCertsPem.filter((pem) => { const sha = certificateSha256(pem); return sha === signing || !retiring.has(sha); })) };
      }
    }
  }

  #status(stored: StoredSelfSignedCa): RotationStatus {
    const rotation = stored.state.rotation;
    const nextStepAt =
      rotation?.phase === 'introduced' ? rotation.activateAt : rotation?.phase === 'activated' ? rotation.retireAt : new Date(this.#graceStart(stored.state.active.signingCertPem));
    return { phase: rotation?.phase ?? 'none', nextStepAt, version: stored.version };
  }
}

/** The root `m` (its cert and key) trusted with `bundle`, each root once, in order. */
function rootMaterial(m: CaKeyMaterial, bundle: readonly string[]): CaKeyMaterial {
  const seen = new Set<string>();
  const roots = bundle.filter((pem) => {
    const sha = certificateSha256(pem);
    if (seen.has(sha)) return false;
    seen.add(sha);
    return true;
  });
  return caKeyMaterial({ signingCertPem: m.signingCertPem, signingKeyPem: m.signingKeyPem, intermediatesPem: [], rootCertsPem: roots, source: 'self-signed' });
}

function algorithmOf(certPem: string): RootKeyAlgorithm {
  return new X509Certificate(certPem).publicKey.asymmetricKeyType === 'ec' ? 'ECDSA' : 'RSA';
}

function notAfter(certPem: string): Date {
  return new Date(new X509Certificate(certPem).validTo);
}

function describeRotation(state: SelfSignedCaState): Record<string, unknown> {
  const r = state.rotation;
  return {
    roots: state.active.rootCertsPem.length,
    signingRootSha256: certificateSha256(state.active.signingCertPem),
    ...(r?.phase === 'introduced' ? { activateAt: r.activateAt.toISOString() } : {}),
    ...(r?.phase === 'activated' ? { retireAt: r.retireAt.toISOString() } : {}),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

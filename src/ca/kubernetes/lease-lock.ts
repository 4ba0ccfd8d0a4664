/**
 * A lock across tsiod replicas on a coordination.k8s.io/v1 Lease, the way
 * client-go's leader election holds one: so that of several replicas
 * starting together only one creates the CA root, and the others wait and
 * then read it.
 *
 *   acquire  create the Lease, or take it over by a compare-and-swap replace
 *            (metadata.resourceVersion) when it is free (no holderIdentity),
 *            already ours, or expired;
 *   hold     renew spec.renewTime every leaseDurationSeconds / 3 while fn runs;
 *   release  clear holderIdentity (leaseDurationSeconds 1), so a waiter need
 *            not sit out the lease.
 *
 * Expiry is judged as client-go does, on this replica's clock only: a Lease
 * is expired when its record has not changed for leaseDurationSeconds since
 * this replica first saw it that way, so clock skew between replicas (or
 * with the apiserver) cannot hand the lock to two of them.
 *
 * A lease lost while fn runs (renewals failing for 2/3 of the lease, or
 * another holder took it) aborts the signal handed to fn; fn's result still
 * stands.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Backoff, type BackoffPolicy } from '../../config/kubernetes/backoff.js';
import { isJsonObject, isTransient, KubeRest, statusOf, type JsonObject } from './kube-rest.js';

export interface LeaseLockOptions {
  /** Where the Lease lives (the system namespace). */
  readonly namespace: string;
  /** The Lease's name. */
  readonly name: string;
  /** This replica's identity (the pod name). Unique per replica: two replicas with one identity would both hold it. */
  readonly holder: string;
  /** spec.leaseDurationSeconds; default 15 (client-go's LeaseDuration). */
  readonly leaseSeconds?: number;
  /** How often a waiting replica looks at the Lease again; default 2 000 ms (client-go's RetryPeriod), jittered +0–20 %. */
  readonly retryPeriodMs?: number;
  readonly logger?: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** Told each time this replica finds the Lease held by another, with that holder (for logs and tests). */
  readonly onWaiting?: (holder: string) => void;
}

/** Runs fn while holding the Lease; fn is handed a signal that aborts if the lease is lost meanwhile. */
export type LeaseLock = <T>(fn: (leaseLost: AbortSignal) => Promise<T>) => Promise<T>;

const DEFAULT_LEASE_SECONDS = 15;
const DEFAULT_RETRY_PERIOD_MS = 2_000;
const TRANSIENT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 10_000, jitter: 0.2 };

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits (the apiserver refuses milliseconds). */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function leaseLock(kubeConfig: KubeConfig, o: LeaseLockOptions): LeaseLock {
  if (o.holder === '') throw new Error('a lease lock needs a non-empty holder identity');
  const leaseSeconds = o.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  if (!Number.isInteger(leaseSeconds) || leaseSeconds < 1) throw new Error(`leaseSeconds must be a positive integer, got ${leaseSeconds}`);
  const lock = new LeaseHolder(kubeConfig, { ...o, leaseSeconds, retryPeriodMs: o.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS });
  // Calls through one lock take turns here: they share one holder identity, which the Lease cannot tell apart.
  let turn: Promise<unknown> = Promise.resolve();
  return <T>(fn: (leaseLost: AbortSignal) => Promise<T>): Promise<T> => {
    const run = turn.then(() => lock.runHolding(fn));
    turn = run.catch(() => undefined);
    return run;
  };
}

interface ResolvedOptions extends LeaseLockOptions {
  readonly leaseSeconds: number;
  readonly retryPeriodMs: number;
}

interface Observation {
  /** What changes when the holder renews or the lock changes hands. */
  readonly record: string;
  /** When this replica first saw that record (its own clock). */
  readonly since: number;
}

class LeaseHolder {
  private readonly rest: KubeRest;
  private readonly collection: string;
  private readonly path: string;
  private observed: Observation | undefined;

  constructor(kubeConfig: KubeConfig, private readonly o: ResolvedOptions) {
    this.rest = new KubeRest(kubeConfig);
    this.collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(o.namespace)}/leases`;
    this.path = `${this.collection}/${encodeURIComponent(o.name)}`;
  }

  private get what(): string {
    return `Lease ${this.o.namespace}/${this.o.name}`;
  }

  async runHolding<T>(fn: (leaseLost: AbortSignal) => Promise<T>): Promise<T> {
    const acquired = await this.acquire();
    let lease = acquired.lease;
    const lost = new AbortController();
    const loseLease = (reason: string): void => {
      if (lost.signal.aborted) return;
      lost.abort(new Error(`${this.what} ${reason}`));
      this.o.logger?.warn({ lease: this.what, holder: this.o.holder, reason }, 'lease lock: lost the lease while holding it');
    };
    // client-go's renew deadline, 2/3 of the lease: give up before a waiter can see the lease expire and take it,
    // so that two never hold it at once. Counted from when the last successful write was sent (waiters see it no earlier).
    const renewDeadlineMs = (this.o.leaseSeconds * 1000 * 2) / 3;
    let deadline = setTimeout(() => loseLease('could not be renewed in time'), renewDeadlineMs - (Date.now() - acquired.sentAt));
    let renewing: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      renewing = renewing.then(async () => {
        if (lost.signal.aborted) return;
        const sentAt = Date.now();
        try {
          const renewed = await this.renew(lease);
          if (lost.signal.aborted) return;
          if (renewed === undefined) return loseLease('was taken by another holder');
          lease = renewed;
          clearTimeout(deadline);
          deadline = setTimeout(() => loseLease('could not be renewed in time'), renewDeadlineMs - (Date.now() - sentAt));
        } catch (error) {
          // A renewal may fail for a while (an apiserver restarting); the deadline decides when that is too long.
          this.o.logger?.warn({ lease: this.what, err: errorText(error) }, 'lease lock: renewal failed; retrying');
        }
      });
    }, Math.max(100, (this.o.leaseSeconds * 1000) / 3));
    try {
      return await fn(lost.signal);
    } finally {
      clearInterval(timer);
      clearTimeout(deadline);
      if (!lost.signal.aborted) {
        // The release needs the Lease as last written (its resourceVersion).
        await renewing;
        await this.release(lease).catch((error: unknown) =>
          this.o.logger?.warn({ lease: this.what, err: errorText(error) }, 'lease lock: release failed; the lease frees itself when it expires'),
        );
      }
    }
  }

  /** Returns the Lease as written by this replica once it holds it, and when that write was sent. */
  private async acquire(): Promise<{ readonly lease: JsonObject; readonly sentAt: number }> {
    const backoff = new Backoff(TRANSIENT_BACKOFF);
    for (;;) {
      try {
        return await this.tryAcquire();
      } catch (error) {
        if (!isTransient(error)) throw new Error(`cannot acquire ${this.what}: ${errorText(error)}`);
        const retryInMs = backoff.next();
        this.o.logger?.warn({ lease: this.what, err: errorText(error), retryInMs }, 'lease lock: the apiserver call failed; retrying');
        await sleep(retryInMs);
      }
    }
  }

  private async tryAcquire(): Promise<{ readonly lease: JsonObject; readonly sentAt: number }> {
    for (;;) {
      const now = new Date();
      const sentAt = Date.now();
      const current = await this.rest.get(this.path);
      if (current === undefined) {
        try {
          const created = await this.rest.create(this.collection, this.leaseBody(undefined, now, 0));
          this.o.logger?.info({ lease: this.what, holder: this.o.holder }, 'lease lock: acquired (created the Lease)');
          return { lease: created, sentAt };
        } catch (error) {
          if (statusOf(error) !== 409) throw error;
          continue; // another replica created it first: look at what it wrote
        }
      }
      const spec = specOf(current);
      const holder = typeof spec['holderIdentity'] === 'string' ? spec['holderIdentity'] : '';
      if (holder === '' || holder === this.o.holder || this.expired(current, spec)) {
        const transitions = typeof spec['leaseTransitions'] === 'number' ? spec['leaseTransitions'] : 0;
        try {
          const taken = await this.rest.replace(this.path, this.leaseBody(current, now, holder === this.o.holder ? transitions : transitions + 1));
          this.o.logger?.info({ lease: this.what, holder: this.o.holder, previousHolder: holder || undefined }, 'lease lock: acquired');
          this.observed = undefined;
          return { lease: taken, sentAt };
        } catch (error) {
          if (statusOf(error) !== 409) throw error;
          continue; // changed since read: someone else moved first
        }
      }
      this.o.onWaiting?.(holder);
      this.o.logger?.debug({ lease: this.what, holder: this.o.holder, heldBy: holder }, 'lease lock: held by another replica; waiting');
      await sleep(this.o.retryPeriodMs * (1 + 0.2 * Math.random()));
    }
  }

  /** Renews; undefined when the Lease is no longer ours. */
  private async renew(lease: JsonObject): Promise<JsonObject | undefined> {
    const now = new Date();
    try {
      return await this.rest.replace(this.path, this.leaseBody(lease, now, undefined));
    } catch (error) {
      if (statusOf(error) !== 409 && statusOf(error) !== 404) throw error;
    }
    // Changed under us: still ours (a retried write that landed), or taken.
    const current = await this.rest.get(this.path);
    if (current === undefined || specOf(current)['holderIdentity'] !== this.o.holder) return undefined;
    return this.rest.replace(this.path, this.leaseBody(current, now, undefined));
  }

  private async release(lease: JsonObject): Promise<void> {
    const now = microTime(new Date());
    const body = {
      ...lease,
      spec: { ...specOf(lease), holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now },
    };
    try {
      await this.rest.replace(this.path, body);
      this.o.logger?.info({ lease: this.what, holder: this.o.holder }, 'lease lock: released');
    } catch (error) {
      // Someone else's now: nothing of ours to release.
      if (statusOf(error) !== 409 && statusOf(error) !== 404) throw error;
    }
  }

  /** Expired by this replica's clock: the record unchanged for its leaseDurationSeconds since first seen. */
  private expired(lease: JsonObject, spec: JsonObject): boolean {
    const metadata = isJsonObject(lease['metadata']) ? lease['metadata'] : {};
    const record = JSON.stringify([spec['holderIdentity'], spec['renewTime'], spec['acquireTime'], spec['leaseDurationSeconds'], metadata['resourceVersion']]);
    const now = Date.now();
    if (this.observed?.record !== record) this.observed = { record, since: now };
    const duration = typeof spec['leaseDurationSeconds'] === 'number' && spec['leaseDurationSeconds'] > 0 ? spec['leaseDurationSeconds'] : this.o.leaseSeconds;
    return now - this.observed.since >= duration * 1000;
  }

  /**
   * The Lease held by this replica: from `base` (its metadata, resourceVersion
   * included, for the compare-and-swap), or new. `transitions` undefined keeps
   * acquireTime and the count (a renewal).
   */
  private leaseBody(base: JsonObject | undefined, now: Date, transitions: number | undefined): JsonObject {
    const spec = base ? specOf(base) : {};
    const time = microTime(now);
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: base && isJsonObject(base['metadata']) ? base['metadata'] : { name: this.o.name, namespace: this.o.namespace },
      spec: {
        ...spec,
        holderIdentity: this.o.holder,
        leaseDurationSeconds: this.o.leaseSeconds,
        acquireTime: transitions === undefined && typeof spec['acquireTime'] === 'string' ? spec['acquireTime'] : time,
        renewTime: time,
        leaseTransitions: transitions ?? (typeof spec['leaseTransitions'] === 'number' ? spec['leaseTransitions'] : 0),
      },
    };
  }
}

function specOf(lease: JsonObject): JsonObject {
  return isJsonObject(lease['spec']) ? lease['spec'] : {};
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A bound on the response bytes handed to gRPC and not yet written out,
 * across every stream of the server.
 *
 * Without it a connection storm (thousands of proxies asking for their whole
 * config at once) queues every response in memory at the same time: at 5,000
 * sidecars of a 1,000-service mesh that is ~11 GB, and each stream's
 * keepalive PING then sits behind megabytes of data, so pings go unanswered
 * and healthy streams are dropped. With a budget, responses leave in the
 * order they were asked for, a few at a time, at the speed the clients read;
 * the rest wait as small descriptions, not as bytes.
 *
 * A grant whose bytes have not left after `stallMs` stops counting: a client
 * that does not read slows only its own stream, never everyone else's.
 *
 * Budget given back is handed on in a later turn of the event loop, never
 * from inside the release: a write that completes at once would otherwise
 * chain grant → encode → write → release → grant through every waiting
 * stream without yielding, and keepalive PING acks (and every other
 * stream's requests) would wait behind gigabytes of writes.
 */

import Denque from 'denque';

export type ReleaseBudget = () => void;
export type CancelWait = () => void;

export interface SendBudgetOptions {
  /** Bytes that may be in flight at once; one response is always let through even when larger. */
  readonly limitBytes: number;
  /** After this long a grant's bytes stop counting against the limit. */
  readonly stallMs: number;
  /** Told when a grant stalls (its stream's client is not reading). */
  readonly onStall?: (bytes: number) => void;
}

interface Waiter {
  readonly bytes: number;
  readonly granted: (release: ReleaseBudget) => void;
  cancelled: boolean;
}

export class SendBudget {
  private inFlightBytes = 0;
  /** In the order they asked; a withdrawn waiter stays until it reaches the front. */
  private readonly waiters = new Denque<Waiter>();
  private grantScheduled = false;

  constructor(private readonly options: SendBudgetOptions) {
    if (!(options.limitBytes > 0)) throw new Error(`send budget: limitBytes must be positive, got ${options.limitBytes}`);
    if (!(options.stallMs > 0)) throw new Error(`send budget: stallMs must be positive, got ${options.stallMs}`);
  }

  /** Bytes currently counted as in flight. */
  get inFlight(): number {
    return this.inFlightBytes;
  }

  /** Streams waiting for budget. */
  get waiting(): number {
    return this.waiters.toArray().filter((w) => !w.cancelled).length;
  }

  /**
   * Calls `granted` (synchronously when there is room and nobody is waiting,
   * else later, in order) with the function that gives the bytes back.
   * Returns a function that withdraws the request if it has not been granted.
   */
  acquire(bytes: number, granted: (release: ReleaseBudget) => void): CancelWait {
    const waiter: Waiter = { bytes, granted, cancelled: false };
    if (this.waiters.isEmpty() && this.fits(bytes)) {
      this.grant(waiter);
      return () => {};
    }
    this.waiters.push(waiter);
    return () => {
      waiter.cancelled = true;
      // A cancelled head may have been what blocked the ones behind it.
      this.scheduleGrants();
    };
  }

  private fits(bytes: number): boolean {
    return this.inFlightBytes === 0 || this.inFlightBytes + bytes <= this.options.limitBytes;
  }

  private grant(waiter: Waiter): void {
    this.inFlightBytes += waiter.bytes;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      clearTimeout(stall);
      this.inFlightBytes -= waiter.bytes;
      this.scheduleGrants();
    };
    const stall = setTimeout(() => {
      this.options.onStall?.(waiter.bytes);
      release();
    }, this.options.stallMs);
    stall.unref();
    waiter.granted(release);
  }

  private scheduleGrants(): void {
    if (this.grantScheduled || this.waiters.isEmpty()) return;
    this.grantScheduled = true;
    setImmediate(() => {
      this.grantScheduled = false;
      this.grantWaiting();
    });
  }

  private grantWaiting(): void {
    for (let next = this.waiters.peekFront(); next; next = this.waiters.peekFront()) {
      if (!next.cancelled && !this.fits(next.bytes)) break;
      this.waiters.shift();
      if (!next.cancelled) this.grant(next);
    }
  }
}

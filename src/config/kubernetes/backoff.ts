/**
 * Jittered exponential backoff for restarting a list or watch. The jitter
 * spreads the retries of many kinds (and many tsiod replicas) so that an
 * apiserver coming back is not hit by all of them in the same instant.
 */
export interface BackoffPolicy {
  /** First delay. */
  readonly initialMs: number;
  /** No delay is longer than this, jitter included. */
  readonly maxMs: number;
  /** Each delay is drawn from [base × (1 − jitter), base × (1 + jitter)], base doubling per attempt. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 500, maxMs: 30_000, jitter: 0.2 });

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    /** Uniform in [0, 1); injectable so tests can pin the jitter. */
    private readonly random: () => number = Math.random,
  ) {
    if (!(policy.initialMs > 0) || !(policy.maxMs >= policy.initialMs) || !(policy.jitter >= 0 && policy.jitter < 1)) {
      throw new Error(`invalid backoff policy ${JSON.stringify(policy)}`);
    }
  }

  /** The delay before the next attempt; each call counts as one more failure. */
  next(): number {
    // Stop doubling once past the cap, so a long outage cannot overflow the exponent.
    const base = Math.min(this.policy.maxMs, this.policy.initialMs * 2 ** Math.min(this.attempt, 52));
    if (base < this.policy.maxMs) this.attempt += 1;
    const factor = 1 + this.policy.jitter * (2 * this.random() - 1);
    return Math.min(this.policy.maxMs, Math.max(1, Math.round(base * factor)));
  }

  /** After a success: the next failure starts again from the initial delay. */
  reset(): void {
    this.attempt = 0;
  }
}

/**
 * Coalesces a burst of config events into one push, as istiod does: fire once
 * no event has arrived for `quietMs`, or `maxMs` after the first event of the
 * burst, whichever is first. A push still running delays the next one rather
 * than overlapping it.
 */
export interface DebounceOptions {
  readonly quietMs: number;
  readonly maxMs: number;
}

export const DEFAULT_DEBOUNCE: DebounceOptions = { quietMs: 100, maxMs: 10_000 };

export class Debouncer<T> {
  private pending: T | undefined;
  private burstStart = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly options: DebounceOptions,
    private readonly merge: (a: T, b: T) => T,
    private readonly fire: (merged: T) => Promise<void> | void,
  ) {}

  add(event: T): void {
    if (this.closed) return;
    const now = Date.now();
    if (this.pending === undefined) {
      this.pending = event;
      this.burstStart = now;
    } else {
      this.pending = this.merge(this.pending, event);
    }
    this.schedule(now);
  }

  /** Fires whatever is pending now; resolves when it has been handled. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await this.fireNow();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private schedule(now: number): void {
    if (this.timer) clearTimeout(this.timer);
    const untilMax = this.burstStart + this.options.maxMs - now;
    const delay = Math.max(0, Math.min(this.options.quietMs, untilMax));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.fireWhenIdle();
    }, delay);
  }

  private async fireWhenIdle(): Promise<void> {
    if (this.running) {
      await this.running;
      // Events that arrived meanwhile keep their own timer; if it already fired, fire here.
      if (this.timer) return;
    }
    await this.fireNow();
  }

  private async fireNow(): Promise<void> {
    const event = this.pending;
    if (event === undefined || this.closed) return;
    this.pending = undefined;
    const run = (async () => {
      await this.fire(event);
    })();
    this.running = run;
    try {
      await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }
}

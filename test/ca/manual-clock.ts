/**
 * Time the tests move by hand, for the CA's timers (CacheClock): nothing
 * waits on the wall clock. set() jumps without running timers; advance()
 * runs each timer that falls due, at its own time, in order.
 */
import type { CacheClock } from '../../src/ca/workload-certificate-cache.js';

export class ManualClock implements CacheClock {
  #timers: Array<{ at: number; fn: () => void }> = [];
  #t: number;

  constructor(start: number) {
    this.#t = start;
  }

  now(): number {
    return this.#t;
  }

  date(): Date {
    return new Date(this.#t);
  }

  setTimer(delayMs: number, fn: () => void): () => void {
    const timer = { at: this.#t + Math.max(0, delayMs), fn };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((x) => x !== timer);
    };
  }

  set(t: number): void {
    this.#t = t;
  }

  advance(ms: number): void {
    const target = this.#t + ms;
    for (;;) {
      const due = this.#timers.filter((x) => x.at <= target).sort((x, y) => x.at - y.at)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((x) => x !== due);
      this.#t = Math.max(this.#t, due.at);
      due.fn();
    }
    this.#t = target;
  }

  /** When the earliest pending timer is due, if any. */
  nextTimerAt(): number | undefined {
    const ats = this.#timers.map((x) => x.at);
    return ats.length === 0 ? undefined : Math.min(...ats);
  }
}

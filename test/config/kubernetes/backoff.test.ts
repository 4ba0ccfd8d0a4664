import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/config/kubernetes/backoff.js';

describe('Backoff', () => {
  it('doubles from the initial delay up to the cap', () => {
    const backoff = new Backoff({ initialMs: 500, maxMs: 30_000, jitter: 0.2 }, () => 0.5);
    expect(Array.from({ length: 9 }, () => backoff.next())).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('jitters each delay within ±jitter, never above the cap', () => {
    const low = new Backoff({ initialMs: 1000, maxMs: 4000, jitter: 0.2 }, () => 0);
    expect([low.next(), low.next(), low.next(), low.next()]).toEqual([800, 1600, 3200, 3200]);
    const high = new Backoff({ initialMs: 1000, maxMs: 4000, jitter: 0.2 }, () => 0.999999);
    expect([high.next(), high.next(), high.next()]).toEqual([1200, 2400, 4000]);
  });

  it('starts again from the initial delay after reset()', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
    backoff.next();
    backoff.next();
    expect(backoff.next()).toBe(400);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('stays at the cap through a long outage', () => {
    const backoff = new Backoff({ initialMs: 1, maxMs: 50, jitter: 0 });
    for (let i = 0; i < 2000; i++) backoff.next();
    expect(backoff.next()).toBe(50);
  });

  it('refuses a policy that would never wait or never stop growing', () => {
    expect(() => new Backoff({ initialMs: 0, maxMs: 10, jitter: 0 })).toThrow(/invalid backoff/);
    expect(() => new Backoff({ initialMs: 10, maxMs: 5, jitter: 0 })).toThrow(/invalid backoff/);
    expect(() => new Backoff({ initialMs: 10, maxMs: 50, jitter: 1 })).toThrow(/invalid backoff/);
  });
});

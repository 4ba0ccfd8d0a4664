import { afterEach, describe, expect, it, vi } from 'vitest';
import { Debouncer } from '../../src/push/debounce.js';

afterEach(() => vi.useRealTimers());

const collect = (quietMs: number, maxMs: number) => {
  const fired: number[][] = [];
  const d = new Debouncer<number[]>({ quietMs, maxMs }, (a, b) => [...a, ...b], (x) => { fired.push(x); });
  return { d, fired };
};

describe('Debouncer', () => {
  it('fires once after a quiet period, with every event of the burst merged', async () => {
    vi.useFakeTimers();
    const { d, fired } = collect(100, 10_000);
    d.add([1]);
    await vi.advanceTimersByTimeAsync(50);
    d.add([2]);
    await vi.advanceTimersByTimeAsync(99);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual([[1, 2]]);
  });

  it('fires at the maximum delay even while events keep coming', async () => {
    vi.useFakeTimers();
    const { d, fired } = collect(100, 1_000);
    for (let t = 0; t < 1_500; t += 50) {
      d.add([t]);
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(fired.length).toBeGreaterThanOrEqual(1);
    expect(fired[0]![0]).toBe(0);
    expect(fired[0]!.at(-1)).toBeLessThanOrEqual(1_000);
  });

  it('does not overlap a running push with the next one', async () => {
    vi.useFakeTimers();
    let running = 0;
    let maxRunning = 0;
    const runs: number[][] = [];
    const d = new Debouncer<number[]>({ quietMs: 10, maxMs: 100 }, (a, b) => [...a, ...b], async (x) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 500));
      runs.push(x);
      running--;
    });
    d.add([1]);
    await vi.advanceTimersByTimeAsync(20);
    d.add([2]);
    d.add([3]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(maxRunning).toBe(1);
    expect(runs).toEqual([[1], [2, 3]]);
  });
});

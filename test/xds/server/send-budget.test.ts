import { afterEach, describe, expect, it, vi } from 'vitest';
import { SendBudget, type ReleaseBudget } from '../../../src/xds/server/send-budget.js';

function recorder(): { grants: string[]; releases: Map<string, ReleaseBudget>; take: (label: string) => (release: ReleaseBudget) => void } {
  const grants: string[] = [];
  const releases = new Map<string, ReleaseBudget>();
  return { grants, releases, take: (label) => (release) => { grants.push(label); releases.set(label, release); } };
}

/** Budget given back is handed on in a later turn of the event loop. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('SendBudget', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('grants at once while there is room, and makes later requests wait', async () => {
    const budget = new SendBudget({ limitBytes: 100, stallMs: 60_000 });
    const r = recorder();
    budget.acquire(60, r.take('a'));
    budget.acquire(40, r.take('b'));
    budget.acquire(1, r.take('c'));
    expect(r.grants).toEqual(['a', 'b']);
    expect(budget.inFlight).toBe(100);
    expect(budget.waiting).toBe(1);
    r.releases.get('b')!();
    expect(r.grants).toEqual(['a', 'b']);
    await nextTurn();
    expect(r.grants).toEqual(['a', 'b', 'c']);
    expect(budget.inFlight).toBe(61);
  });

  it('lets waiters through in the order they asked, even when a later one would fit sooner', async () => {
    const budget = new SendBudget({ limitBytes: 100, stallMs: 60_000 });
    const r = recorder();
    budget.acquire(90, r.take('big-first'));
    budget.acquire(50, r.take('second'));
    budget.acquire(5, r.take('small-third'));
    // 5 bytes would fit beside the 90, but 'second' asked first.
    expect(r.grants).toEqual(['big-first']);
    r.releases.get('big-first')!();
    await nextTurn();
    expect(r.grants).toEqual(['big-first', 'second', 'small-third']);
  });

  it('lets a response larger than the whole budget through alone', async () => {
    const budget = new SendBudget({ limitBytes: 100, stallMs: 60_000 });
    const r = recorder();
    budget.acquire(10, r.take('small'));
    budget.acquire(500, r.take('huge'));
    budget.acquire(10, r.take('after'));
    expect(r.grants).toEqual(['small']);
    r.releases.get('small')!();
    await nextTurn();
    expect(r.grants).toEqual(['small', 'huge']);
    expect(budget.inFlight).toBe(500);
    r.releases.get('huge')!();
    await nextTurn();
    expect(r.grants).toEqual(['small', 'huge', 'after']);
  });

  it('a withdrawn waiter no longer blocks the ones behind it', async () => {
    const budget = new SendBudget({ limitBytes: 100, stallMs: 60_000 });
    const r = recorder();
    budget.acquire(80, r.take('holder'));
    const cancel = budget.acquire(90, r.take('withdrawn'));
    budget.acquire(20, r.take('behind'));
    expect(r.grants).toEqual(['holder']);
    cancel();
    await nextTurn();
    expect(r.grants).toEqual(['holder', 'behind']);
    r.releases.get('holder')!();
    await nextTurn();
    expect(r.grants).toEqual(['holder', 'behind']);
    expect(budget.waiting).toBe(0);
  });

  it('counts a release once however often it is called', async () => {
    const budget = new SendBudget({ limitBytes: 100, stallMs: 60_000 });
    const r = recorder();
    budget.acquire(50, r.take('a'));
    budget.acquire(50, r.take('b'));
    r.releases.get('a')!();
    r.releases.get('a')!();
    expect(budget.inFlight).toBe(50);
  });

  it('stops counting a grant whose bytes have not left after the stall time, and says so', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const stalled: number[] = [];
    const budget = new SendBudget({ limitBytes: 100, stallMs: 5_000, onStall: (bytes) => stalled.push(bytes) });
    const r = recorder();
    budget.acquire(100, r.take('unread'));
    budget.acquire(30, r.take('next'));
    vi.advanceTimersByTime(4_999);
    expect(r.grants).toEqual(['unread']);
    vi.advanceTimersByTime(1);
    expect(stalled).toEqual([100]);
    await nextTurn();
    expect(r.grants).toEqual(['unread', 'next']);
    expect(budget.inFlight).toBe(30);
    // The late release of the stalled grant changes nothing.
    r.releases.get('unread')!();
    expect(budget.inFlight).toBe(30);
  });

  it('stays consistent when a grant releases itself at once', async () => {
    const budget = new SendBudget({ limitBytes: 10, stallMs: 60_000 });
    const order: string[] = [];
    const r = recorder();
    budget.acquire(10, r.take('holder'));
    for (const label of ['x', 'y', 'z']) budget.acquire(10, (release) => { order.push(label); release(); });
    r.releases.get('holder')!();
    for (let i = 0; i < 4; i++) await nextTurn();
    expect(order).toEqual(['x', 'y', 'z']);
    expect(budget.inFlight).toBe(0);
    expect(budget.waiting).toBe(0);
  });

  it('hands released budget on in a later turn, so a chain of instant writes yields to the event loop', async () => {
    const budget = new SendBudget({ limitBytes: 10, stallMs: 60_000 });
    const r = recorder();
    budget.acquire(10, r.take('first'));
    budget.acquire(10, r.take('second'));
    r.releases.get('first')!();
    expect(r.grants).toEqual(['first']);
    let ioTurnRan = false;
    setImmediate(() => { ioTurnRan = true; });
    await nextTurn();
    expect(r.grants).toEqual(['first', 'second']);
    expect(ioTurnRan).toBe(true);
  });

  it('refuses a limit or stall time that is not positive', () => {
    expect(() => new SendBudget({ limitBytes: 0, stallMs: 1 })).toThrow(/limitBytes must be positive, got 0/);
    expect(() => new SendBudget({ limitBytes: 1, stallMs: Number.NaN })).toThrow(/stallMs must be positive/);
  });
});

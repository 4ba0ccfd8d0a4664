import { describe, expect, it } from 'vitest';
import { RequestScheduler, type PausableStream } from '../../../src/xds/server/request-scheduler.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function stream(): PausableStream & { events: string[] } {
  const events: string[] = [];
  return { events, pause: () => events.push('pause'), resume: () => events.push('resume') };
}

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* a request that takes a while to handle */ }
}

describe('RequestScheduler', () => {
  it('handles requests later, in the order they arrived across streams', async () => {
    const scheduler = new RequestScheduler();
    const a = stream();
    const b = stream();
    const order: string[] = [];
    scheduler.run(a, () => order.push('a1'));
    scheduler.run(b, () => order.push('b1'));
    scheduler.run(a, () => order.push('a2'));
    expect(order).toEqual([]);
    await nextTurn();
    expect(order).toEqual(['a1', 'b1', 'a2']);
    expect(scheduler.pending).toBe(0);
  });

  it('gives the event loop back between slices', async () => {
    const scheduler = new RequestScheduler({ sliceMs: 5 });
    const s = stream();
    const order: string[] = [];
    for (let i = 0; i < 6; i++) scheduler.run(s, () => { busyFor(3); order.push(`r${i}`); });
    // Queued after the first slice was scheduled: it runs between slices, not after all six requests.
    setImmediate(() => order.push('io'));
    for (let i = 0; i < 10 && scheduler.pending > 0; i++) await nextTurn();
    expect(order.filter((x) => x.startsWith('r'))).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
    const io = order.indexOf('io');
    expect(io).toBeGreaterThan(0);
    expect(io).toBeLessThan(order.length - 1);
  });

  it('pauses a stream whose requests pile up and resumes it once they are handled', async () => {
    const scheduler = new RequestScheduler({ maxQueuedPerStream: 3 });
    const flooding = stream();
    const quiet = stream();
    for (let i = 0; i < 3; i++) scheduler.run(flooding, () => {});
    scheduler.run(quiet, () => {});
    expect(flooding.events).toEqual(['pause']);
    expect(quiet.events).toEqual([]);
    await nextTurn();
    expect(flooding.events).toEqual(['pause', 'resume']);
    expect(quiet.events).toEqual([]);
  });

  it('keeps handling the others when one handler throws, and reports it', async () => {
    const errors: unknown[] = [];
    const scheduler = new RequestScheduler({ onUnexpectedError: (err) => errors.push(err) });
    const s = stream();
    const handled: string[] = [];
    scheduler.run(s, () => { throw new Error('handler bug'); });
    scheduler.run(s, () => handled.push('after'));
    await nextTurn();
    expect(handled).toEqual(['after']);
    expect(errors).toEqual([new Error('handler bug')]);
  });
});

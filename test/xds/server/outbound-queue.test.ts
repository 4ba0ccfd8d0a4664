import { describe, expect, it } from 'vitest';
import { OutboundQueue, type OutboundResponse } from '../../../src/xds/server/outbound-queue.js';
import { SendBudget } from '../../../src/xds/server/send-budget.js';

/** A stream whose writes the test completes by hand, as a client reading them would. */
class HeldStream {
  readonly written: string[] = [];
  private readonly pending: Array<() => void> = [];
  readonly write = (bytes: Buffer, done: () => void): void => {
    this.written.push(bytes.toString());
    this.pending.push(done);
  };
  completeNext(): void {
    this.pending.shift()?.();
  }
  get inFlight(): number {
    return this.pending.length;
  }
}

function response(text: string, encoded: string[] = []): OutboundResponse {
  return { size: text.length, encode: () => { encoded.push(text); return Buffer.from(text); } };
}

const failOnError = (err: unknown): never => { throw err; };

describe('OutboundQueue', () => {
  it('writes one response at a time, in order', async () => {
    const stream = new HeldStream();
    const q = new OutboundQueue(new SendBudget({ limitBytes: 1_000, stallMs: 60_000 }), stream.write, failOnError);
    const first = q.enqueue(response('cds'));
    void q.enqueue(response('eds'));
    void q.enqueue(response('lds'));
    await first;
    expect(stream.written).toEqual(['cds']);
    stream.completeNext();
    expect(stream.written).toEqual(['cds', 'eds']);
    stream.completeNext();
    stream.completeNext();
    expect(stream.written).toEqual(['cds', 'eds', 'lds']);
    expect(q.length).toBe(0);
  });

  it('encodes a response only when the budget lets it out, so waiting streams hold no bytes', async () => {
    const budget = new SendBudget({ limitBytes: 10, stallMs: 60_000 });
    const a = new HeldStream();
    const b = new HeldStream();
    const encoded: string[] = [];
    await new OutboundQueue(budget, a.write, failOnError).enqueue(response('aaaaaaaaaa', encoded));
    let bHandedOver = false;
    void new OutboundQueue(budget, b.write, failOnError).enqueue(response('bbbbb', encoded)).then(() => { bHandedOver = true; });
    await new Promise((r) => setImmediate(r));
    expect(encoded).toEqual(['aaaaaaaaaa']);
    expect(b.written).toEqual([]);
    expect(bHandedOver).toBe(false);
    a.completeNext();
    await new Promise((r) => setImmediate(r));
    expect(encoded).toEqual(['aaaaaaaaaa', 'bbbbb']);
    expect(b.written).toEqual(['bbbbb']);
    expect(bHandedOver).toBe(true);
  });

  it('on close drops what waits, settles its promises and gives the budget back', async () => {
    const budget = new SendBudget({ limitBytes: 10, stallMs: 60_000 });
    const closing = new HeldStream();
    const q = new OutboundQueue(budget, closing.write, failOnError);
    void q.enqueue(response('0123456789'));
    const dropped = q.enqueue(response('never'));
    const other = new HeldStream();
    const otherWrite = new OutboundQueue(budget, other.write, failOnError).enqueue(response('other'));
    expect(other.written).toEqual([]);
    q.close();
    await dropped;
    await otherWrite;
    expect(closing.written).toEqual(['0123456789']);
    expect(other.written).toEqual(['other']);
    // A write callback arriving after close starts nothing.
    closing.completeNext();
    expect(closing.written).toEqual(['0123456789']);
    await q.enqueue(response('after-close'));
    expect(closing.written).toEqual(['0123456789']);
  });

  it('a write that throws is reported, and its budget is given back', async () => {
    const budget = new SendBudget({ limitBytes: 10, stallMs: 60_000 });
    const errors: string[] = [];
    const broken = new OutboundQueue(budget, () => { throw new Error('stream destroyed'); }, (err) => errors.push((err as Error).message));
    await broken.enqueue(response('0123456789'));
    expect(errors).toEqual(['stream destroyed']);
    expect(budget.inFlight).toBe(0);
  });
});

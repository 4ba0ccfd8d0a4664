/**
 * One stream's responses, written in order, one at a time, each when the
 * server's send budget has room for it. A response waits as a description
 * (its size and how to encode it) and is encoded only when it is let
 * through, so thousands of waiting streams hold no response bytes.
 */
import type { CancelWait, ReleaseBudget, SendBudget } from './send-budget.js';

export interface OutboundResponse {
  /** Bytes the encoded response will take (near enough: it is what the budget counts). */
  readonly size: number;
  encode(): Buffer;
}

/** Hands bytes to the stream; `written` is called once they have left (gRPC may never call it on a cancelled stream). */
export type StreamWrite = (bytes: Buffer, written: () => void) => void;

interface Queued {
  readonly response: OutboundResponse;
  readonly handedOver: () => void;
}

export class OutboundQueue {
  private readonly queued: Queued[] = [];
  private writing = false;
  private closed = false;
  private cancelWait: CancelWait | undefined;
  private release: ReleaseBudget | undefined;

  constructor(
    private readonly budget: SendBudget,
    private readonly write: StreamWrite,
    /** Told when encoding or writing throws; the stream is then unusable. */
    private readonly onWriteError: (err: unknown) => void,
  ) {}

  /** Responses waiting for their turn (not counting one being written). */
  get length(): number {
    return this.queued.length;
  }

  /** Resolves once the response has been handed to gRPC, or dropped because the stream closed. */
  enqueue(response: OutboundResponse): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.queued.push({ response, handedOver: resolve });
      this.pump();
    });
  }

  /** Drops what waits and gives back any budget held: the stream is gone. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelWait?.();
    this.cancelWait = undefined;
    this.release?.();
    this.release = undefined;
    for (const q of this.queued.splice(0)) q.handedOver();
  }

  private pump(): void {
    if (this.writing || this.closed) return;
    const next = this.queued.shift();
    if (!next) return;
    this.writing = true;
    this.cancelWait = this.budget.acquire(next.response.size, (release) => {
      this.cancelWait = undefined;
      if (this.closed) {
        release();
        next.handedOver();
        return;
      }
      this.release = release;
      let done = false;
      const written = (): void => {
        if (done) return;
        done = true;
        this.written(release);
      };
      try {
        this.write(next.response.encode(), written);
      } catch (err) {
        next.handedOver();
        written();
        this.onWriteError(err);
        return;
      }
      next.handedOver();
    });
  }

  private written(release: ReleaseBudget): void {
    release();
    if (this.release === release) this.release = undefined;
    this.writing = false;
    this.pump();
  }
}

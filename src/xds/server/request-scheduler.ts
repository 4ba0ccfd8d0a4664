/**
 * Runs stream requests in the order they arrived, in slices of at most
 * `sliceMs`, giving the event loop back between slices.
 *
 * When thousands of proxies connect at once their first requests arrive in
 * one turn of the event loop; handled there and then, they would hold it for
 * seconds, during which no socket is read: keepalive PING acks go unseen and
 * grpc-js drops healthy connections when its ping timeout fires first. grpc-go
 * (istiod) does not have this problem because each stream runs on its own
 * goroutine; here the same fairness comes from slicing.
 */
import Denque from 'denque';

export interface RequestSchedulerOptions {
  /** Longest stretch of request handling before yielding. */
  readonly sliceMs?: number;
  /** Requests one stream may have waiting before its stream is paused (its client then waits on HTTP/2 flow control). */
  readonly maxQueuedPerStream?: number;
  /** Told when a handler throws although it should have handled its own errors; the other requests still run. */
  readonly onUnexpectedError?: (err: unknown) => void;
}

/** What the scheduler needs of a stream to hold back a client that sends faster than it is served. */
export interface PausableStream {
  pause(): void;
  resume(): void;
}

interface StreamBacklog {
  queued: number;
  paused: boolean;
}

export class RequestScheduler {
  private readonly tasks = new Denque<() => void>();
  private scheduled = false;
  private readonly sliceMs: number;
  private readonly maxQueuedPerStream: number;
  private readonly onUnexpectedError: (err: unknown) => void;
  private readonly backlogs = new WeakMap<PausableStream, StreamBacklog>();

  constructor(options: RequestSchedulerOptions = {}) {
    this.sliceMs = options.sliceMs ?? 20;
    this.maxQueuedPerStream = options.maxQueuedPerStream ?? 64;
    this.onUnexpectedError = options.onUnexpectedError ?? (() => {});
  }

  /** Requests waiting to be handled. */
  get pending(): number {
    return this.tasks.length;
  }

  /** Queues one request of `stream`; `handle` runs in a later slice, after every request queued before it. */
  run(stream: PausableStream, handle: () => void): void {
    let backlog = this.backlogs.get(stream);
    if (!backlog) {
      backlog = { queued: 0, paused: false };
      this.backlogs.set(stream, backlog);
    }
    const b = backlog;
    b.queued++;
    if (b.queued >= this.maxQueuedPerStream && !b.paused) {
      b.paused = true;
      stream.pause();
    }
    this.tasks.push(() => {
      b.queued--;
      if (b.paused && b.queued === 0) {
        b.paused = false;
        stream.resume();
      }
      handle();
    });
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    const deadline = performance.now() + this.sliceMs;
    for (let task = this.tasks.shift(); task; task = this.tasks.shift()) {
      // Handlers catch their own errors (a bad request closes its stream); one that still throws must not strand the rest.
      try {
        task();
      } catch (err) {
        this.onUnexpectedError(err);
      }
      if (performance.now() >= deadline) break;
    }
    if (!this.tasks.isEmpty()) this.schedule();
  }
}

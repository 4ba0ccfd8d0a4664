/**
 * State shared by all clients of one simulator process: the response memo,
 * traffic counters, the change being watched, and the sinks for events the
 * process reports to the orchestrator.
 */
import { ResponseMemo } from './response-memo.js';

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export class TrafficStats {
  bytesReceived = 0;
  bytesSent = 0;
  lastResponseAt = 0;
  readonly byType = new Map<string, { count: number; bytes: number }>();

  received(typeUrl: string, bytes: number, at: number): void {
    this.bytesReceived += bytes;
    this.lastResponseAt = at;
    const short = typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
    let entry = this.byType.get(short);
    if (!entry) {
      entry = { count: 0, bytes: 0 };
      this.byType.set(short, entry);
    }
    entry.count++;
    entry.bytes += bytes;
  }
}

export interface WatchedChange {
  readonly changeId: number;
  /** Service FQDN whose EDS update the clients must ACK. */
  readonly host: string;
}

export interface SimEventSink {
  converged(index: number, at: number): void;
  watchedAck(index: number, changeId: number, at: number): void;
  failed(index: number, message: string): void;
}

export class SimContext {
  readonly memo = new ResponseMemo();
  readonly stats = new TrafficStats();
  watch: WatchedChange | undefined;

  constructor(readonly events: SimEventSink) {}
}

/**
 * Messages between the bench orchestrator (parent) and a simulator process
 * (child, over the fork IPC channel). Timestamps are epoch milliseconds with
 * sub-millisecond precision (performance.timeOrigin + performance.now()), so
 * that the two processes' clocks are directly comparable.
 */
import type { SidecarIdentity } from './sidecar-node.js';

export type ClientMode = 'sotw' | 'delta';

export interface ClientSpec {
  /** Index in the whole run (across simulator processes). */
  readonly index: number;
  readonly mode: ClientMode;
  readonly identity: SidecarIdentity;
}

export type ParentToSim =
  /** Build clients (encode nodes) without connecting. */
  | { readonly kind: 'prepare'; readonly target: string; readonly clients: readonly ClientSpec[] }
  /** Open every client's stream at once. */
  | { readonly kind: 'connect' }
  /** From now on, report each client's first ACK of an EDS response carrying `host`. */
  | { readonly kind: 'watch'; readonly changeId: number; readonly host: string }
  | { readonly kind: 'status' }
  | { readonly kind: 'stop' };

export interface SimStatus {
  readonly clients: number;
  readonly converged: number;
  /** Clients whose stream ended or failed. */
  readonly failed: number;
  /** Last time any client received a response. */
  readonly lastResponseAt: number;
  readonly bytesReceived: number;
  readonly bytesSent: number;
  readonly responsesByType: Readonly<Record<string, { readonly count: number; readonly bytes: number }>>;
  /** process.cpuUsage() of the simulator, microseconds. */
  readonly cpuUserMicros: number;
  readonly cpuSystemMicros: number;
  readonly rssBytes: number;
  /** Longest event-loop delay since the clients connected, ms: how late the simulator could answer a keepalive PING. */
  readonly eventLoopDelayMaxMs: number;
  readonly memoHits: number;
  readonly memoMisses: number;
  /** A few error messages, for diagnosis. */
  readonly errorSamples: readonly string[];
  /** For a few unconverged clients: what they are still missing. */
  readonly unconvergedSamples: readonly string[];
}

export type SimToParent =
  | { readonly kind: 'prepared'; readonly clients: number }
  | { readonly kind: 'connecting'; readonly at: number }
  /** [client index, time it first converged] pairs. */
  | { readonly kind: 'converged'; readonly events: readonly (readonly [number, number])[] }
  /** [client index, time it ACKed the watched EDS update]. */
  | { readonly kind: 'watchAcks'; readonly changeId: number; readonly events: readonly (readonly [number, number])[] }
  | { readonly kind: 'watching'; readonly changeId: number }
  | { readonly kind: 'status'; readonly status: SimStatus }
  | { readonly kind: 'stopped' };

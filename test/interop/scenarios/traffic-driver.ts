/**
 * What the shared scenarios need from a real xDS client, whichever language
 * it is written in: send RPCs and say who answered, and report NACKs.
 */
export interface BatchResult {
  /** Answered RPCs by the backend's "hostname" response header (its pod name). */
  readonly byBackend: Readonly<Record<string, number>>;
  /** RPCs that ended in a gRPC error. */
  readonly failures: number;
  /** The first error's status and message, when there were failures. */
  readonly firstFailure?: string;
}

/** A resource the client rejected, from its own CSDS view (it keeps using the last good one). */
export interface NackedResource {
  readonly typeUrl: string;
  readonly name: string;
  readonly details: string;
}

export interface TrafficDriver {
  /** Names the client in test output, e.g. "grpc-js 1.14.7 (@grpc/grpc-js-xds 1.14.1)". */
  readonly description: string;
  /** Sends at least `rpcs` TestService.UnaryCall RPCs begun after this call and tallies them. */
  sendBatch(rpcs: number): Promise<BatchResult>;
  nackedResources(): Promise<readonly NackedResource[]>;
  /** The client's recent xDS trace output, printed when a test fails. */
  recentLogs(): string;
  close(): Promise<void>;
}

export function totalAnswered(batch: BatchResult): number {
  return Object.values(batch.byBackend).reduce((a, b) => a + b, 0);
}

export function mergeBatches(a: BatchResult, b: BatchResult): BatchResult {
  const byBackend: Record<string, number> = { ...a.byBackend };
  for (const [id, n] of Object.entries(b.byBackend)) byBackend[id] = (byBackend[id] ?? 0) + n;
  const firstFailure = a.firstFailure ?? b.firstFailure;
  return { byBackend, failures: a.failures + b.failures, ...(firstFailure === undefined ? {} : { firstFailure }) };
}

export const EMPTY_BATCH: BatchResult = { byBackend: {}, failures: 0 };

/**
 * What the traffic-management scenarios need from a real xDS client, beyond
 * TrafficDriver: RPCs with request metadata, a chosen deadline and several in
 * flight at once, their failures tallied by status code, and (where the
 * driver can see it) how long the quickest RPC took.
 */
import type { NackedResource } from './traffic-driver.js';

export interface RpcOptions {
  /** How many TestService.UnaryCall RPCs, all begun after the call. */
  readonly rpcs: number;
  /** Request metadata sent with every RPC (header match, hash policy). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Each RPC's deadline. Whole seconds: grpc-go's interop client takes nothing finer. */
  readonly deadlineSeconds: number;
  /**
   * RPCs in flight at once, for drivers that control it. grpc-go's interop
   * client sends at a fixed rate instead, so its concurrency is rate × latency.
   */
  readonly concurrency?: number;
}

export interface ProbeResult {
  /** Answered RPCs by the backend's "hostname" header. */
  readonly byBackend: Readonly<Record<string, number>>;
  /** Failed RPCs by gRPC status code name, e.g. { UNAVAILABLE: 3 }. */
  readonly failuresByCode: Readonly<Record<string, number>>;
  /** A few failures as "CODE: details", for messages and for telling which backend refused. */
  readonly failureSamples: readonly string[];
  /** The quickest answered RPC in ms, when the driver measures latency; undefined otherwise. */
  readonly fastestAnsweredMs?: number;
}

export interface TrafficProbe {
  readonly description: string;
  /** Whether fastestAnsweredMs is reported. */
  readonly measuresLatency: boolean;
  /** False for a client that sends on its own between sends (grpc-go's), so backends also count RPCs outside a send. */
  readonly sendsOnlyWhenAsked: boolean;
  /** Whether a send may begin while another is running. */
  readonly overlappingSends: boolean;
  send(options: RpcOptions): Promise<ProbeResult>;
  nackedResources(): Promise<readonly NackedResource[]>;
  recentLogs(): string;
  close(): Promise<void>;
}

export function answered(result: ProbeResult): number {
  return Object.values(result.byBackend).reduce((a, b) => a + b, 0);
}

export function failed(result: ProbeResult): number {
  return Object.values(result.failuresByCode).reduce((a, b) => a + b, 0);
}

/** The result in one line, for test output and failure messages. */
export function describeResult(result: ProbeResult): string {
  const latency = result.fastestAnsweredMs === undefined ? '' : `, fastest answer ${result.fastestAnsweredMs.toFixed(0)} ms`;
  const samples = result.failureSamples.length === 0 ? '' : `, e.g. ${JSON.stringify(result.failureSamples.slice(0, 3))}`;
  return `answered ${JSON.stringify(result.byBackend)}, failed ${JSON.stringify(result.failuresByCode)}${samples}${latency}`;
}

/** Keeps at most this many distinct failure samples per result. */
export const MAX_FAILURE_SAMPLES = 10;

/** Tallies RPC outcomes into a ProbeResult. */
export class ResultTally {
  private readonly byBackend: Record<string, number> = {};
  private readonly failuresByCode: Record<string, number> = {};
  private readonly samples = new Set<string>();
  private fastest: number | undefined;

  answer(backend: string, latencyMs?: number): void {
    this.byBackend[backend] = (this.byBackend[backend] ?? 0) + 1;
    if (latencyMs !== undefined) this.fastest = Math.min(this.fastest ?? Infinity, latencyMs);
  }

  fail(code: string, details: string): void {
    this.failuresByCode[code] = (this.failuresByCode[code] ?? 0) + 1;
    if (this.samples.size < MAX_FAILURE_SAMPLES) this.samples.add(`${code}: ${details}`);
  }

  result(): ProbeResult {
    return {
      byBackend: { ...this.byBackend },
      failuresByCode: { ...this.failuresByCode },
      failureSamples: [...this.samples],
      ...(this.fastest === undefined ? {} : { fastestAnsweredMs: this.fastest }),
    };
  }
}

/**
 * Bounded polling of live traffic: send small batches until one satisfies a
 * condition, or fail when the time is up. Used to time how fast a config edit
 * reaches the client's routing.
 */
import { EMPTY_BATCH, mergeBatches, type BatchResult, type TrafficDriver } from './traffic-driver.js';

export interface AwaitTrafficOptions {
  readonly withinMs: number;
  /** RPCs per poll: small, so convergence is seen soon after it happens. */
  readonly batchRpcs?: number;
  /** What is being waited for, for the failure message. */
  readonly what: string;
}

export interface Converged {
  /** Ms from the call until the end of the first batch that met the condition. */
  readonly afterMs: number;
  /** Every poll until then, merged, to check for failed RPCs during the change. */
  readonly seenOnTheWay: BatchResult;
}

export async function awaitTraffic(
  driver: TrafficDriver,
  condition: (batch: BatchResult) => boolean,
  options: AwaitTrafficOptions,
): Promise<Converged> {
  const start = performance.now();
  let seen = EMPTY_BATCH;
  let last: BatchResult | undefined;
  while (performance.now() - start < options.withinMs) {
    last = await driver.sendBatch(options.batchRpcs ?? 50);
    seen = mergeBatches(seen, last);
    if (condition(last)) return { afterMs: performance.now() - start, seenOnTheWay: seen };
  }
  throw new Error(
    `${driver.description}: not ${options.what} within ${options.withinMs} ms; ` +
      `last batch: ${JSON.stringify(last)}; all batches: ${JSON.stringify(seen)}`,
  );
}

/** True when every RPC of the batch succeeded and was answered by one of these backends. */
export function onlyAnsweredBy(backends: readonly string[]): (batch: BatchResult) => boolean {
  return (batch) =>
    batch.failures === 0 &&
    Object.keys(batch.byBackend).length > 0 &&
    Object.keys(batch.byBackend).every((id) => backends.includes(id));
}

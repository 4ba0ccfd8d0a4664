/**
 * Bounded polling of live traffic for the traffic-management scenarios: send
 * small rounds of RPCs until one shows the expected behaviour, or fail when
 * the time is up, with the last round in the message. The bound is generous:
 * it waits for an observable event (the client acting on new config), it
 * does not time tsiod.
 */
import { describeResult, type ProbeResult, type TrafficProbe } from './traffic-probe.js';

export interface AwaitBehaviourOptions<T> {
  /** One round of traffic: several sends (say, one per header value) make one observation. */
  readonly round: (probe: TrafficProbe) => Promise<T>;
  readonly holds: (observation: T) => boolean;
  readonly what: string;
  readonly withinMs: number;
  /** How to print an observation in the failure message. */
  readonly show?: (observation: T) => string;
}

export async function awaitBehaviour<T>(probe: TrafficProbe, options: AwaitBehaviourOptions<T>): Promise<T> {
  const start = performance.now();
  let last: T | undefined;
  do {
    last = await options.round(probe);
    if (options.holds(last)) return last;
    // A round can settle in promise callbacks alone (grpc-js fails a fault-injected RPC without any I/O), and
    // tsiod runs in this process: without a trip round the event loop its file watcher and push timers never fire.
    await new Promise((resolve) => setImmediate(resolve));
  } while (performance.now() - start < options.withinMs);
  const shown = options.show ? options.show(last) : JSON.stringify(last);
  throw new Error(`${probe.description}: not ${options.what} within ${options.withinMs} ms; last round: ${shown}`);
}

/** awaitBehaviour for a single send. */
export function awaitResult(
  probe: TrafficProbe,
  send: (probe: TrafficProbe) => Promise<ProbeResult>,
  holds: (result: ProbeResult) => boolean,
  what: string,
  withinMs: number,
): Promise<ProbeResult> {
  return awaitBehaviour(probe, { round: send, holds, what, withinMs, show: describeResult });
}

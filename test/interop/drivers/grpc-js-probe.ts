/**
 * TrafficProbe for grpc-js with @grpc/grpc-js-xds, in this process: each RPC
 * carries the asked-for metadata and deadline, `concurrency` of them in
 * flight, timed from start to status.
 */
import * as grpc from '@grpc/grpc-js';
import { EMPTY_MESSAGE, HOSTNAME_HEADER, UNARY_CALL_PATH, passBytes } from '../../helpers/echo-service.js';
import type { BootstrapOptions } from '../../helpers/xds-bootstrap.js';
import { ResultTally, type ProbeResult, type RpcOptions, type TrafficProbe } from '../scenarios/traffic-probe.js';
import { connectGrpcJsXds } from './grpc-js-driver.js';

const DEFAULT_CONCURRENCY = 16;

function oneCall(client: grpc.Client, options: RpcOptions, tally: ResultTally): Promise<void> {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
  const started = performance.now();
  return new Promise((resolve) => {
    let hostname: string | undefined;
    const call = client.makeUnaryRequest(
      UNARY_CALL_PATH,
      passBytes,
      passBytes,
      EMPTY_MESSAGE,
      metadata,
      { deadline: Date.now() + options.deadlineSeconds * 1_000 },
      (error) => {
        if (error) tally.fail(grpc.status[error.code] ?? String(error.code), error.details);
        else if (hostname === undefined) tally.fail('NO_HOSTNAME', `answered without a "${HOSTNAME_HEADER}" header`);
        else tally.answer(hostname, performance.now() - started);
        resolve();
      },
    );
    call.on('metadata', (headers: grpc.Metadata) => {
      const [value] = headers.get(HOSTNAME_HEADER);
      if (typeof value === 'string') hostname = value;
    });
  });
}

async function send(client: grpc.Client, options: RpcOptions): Promise<ProbeResult> {
  const tally = new ResultTally();
  let remaining = options.rpcs;
  const worker = async (): Promise<void> => {
    while (remaining > 0) {
      remaining -= 1;
      await oneCall(client, options, tally);
    }
  };
  const workers = Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, options.rpcs);
  await Promise.all(Array.from({ length: workers }, worker));
  return tally.result();
}

/** Registers the xds: scheme for tsiod at xdsPort and dials `target`. Once per process, as grpc-js-driver.ts. */
export async function startGrpcJsProbe(target: string, bootstrap: BootstrapOptions): Promise<TrafficProbe> {
  const connection = await connectGrpcJsXds(target, bootstrap);
  return {
    description: connection.description,
    measuresLatency: true,
    sendsOnlyWhenAsked: true,
    overlappingSends: true,
    send: (options) => send(connection.client, options),
    nackedResources: () => connection.nackedResources(),
    recentLogs: () => connection.recentLogs(),
    close: () => connection.close(),
  };
}

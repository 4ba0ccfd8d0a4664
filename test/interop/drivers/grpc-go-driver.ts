/**
 * TrafficDriver for grpc-go's real xDS client: grpc-go's xDS interop client
 * (.peers/bin/grpc-go-xds-client) dials an xds:/// target and sends
 * TestService.UnaryCall at a fixed rate for as long as it runs. A batch is
 * its LoadBalancerStatsService.GetClientStats: the next N RPCs begun after
 * the call, by the "hostname" header of the backend that answered. NACKs come
 * from its CSDS, served on the same stats port.
 */
import * as grpc from '@grpc/grpc-js';
import { startGoPeerProcess, type GoPeerProcess } from '../../helpers/go-peer-process.js';
import { goPeerPinnedVersion } from '../../helpers/interop-peers.js';
import { grpcXdsBootstrap, writeBootstrapFile, type BootstrapOptions } from '../../helpers/xds-bootstrap.js';
import type { BatchResult, TrafficDriver } from '../scenarios/traffic-driver.js';
import { connectCsds } from './csds-reader.js';
import { serviceClientByReflection } from './grpc-go-reflection.js';

/** 2,000 RPCs in 4 s, a 50-RPC convergence poll every 100 ms; moderate for 2 cores. */
const QPS = 500;
/** The same per-RPC deadline as the other drivers. */
const RPC_TIMEOUT_S = 1;
/** GetClientStats waits for the RPCs to be sent and finish; past this margin it counts the missing ones as failed. */
const STATS_SLACK_S = 5;
const READY_WITHIN_MS = 10_000;
const CONTROL_DEADLINE_MS = 5_000;
const STATS_SERVICE = 'grpc.testing.LoadBalancerStatsService';
/** What --print_response prints for a failed RPC: `RPC "UnaryCall", failed with <error>`. */
const FAILED_RPC = /^RPC "\w+", failed with (.*)$/;
const RECENT_FAILURES_KEPT = 100;

/**
 * The fields of grpc.testing.LoadBalancerStatsResponse read here. rpcs_by_peer
 * is a map<string, int32>, but protobufjs builds types from descriptors
 * without map_entry, so it arrives as its wire form: repeated key/value entries.
 */
interface LoadBalancerStatsResponse {
  readonly rpcs_by_peer?: ReadonlyArray<{ readonly key?: string; readonly value?: number }>;
  readonly num_failures?: number;
}

type GetClientStats = (
  request: { num_rpcs: number; timeout_sec: number },
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: LoadBalancerStatsResponse) => void,
) => void;

interface ObservedFailure {
  readonly at: number;
  readonly error: string;
}

/**
 * The stats service reports only how many RPCs failed; the client's own
 * output says why. An error is printed when its RPC ends, so the first one
 * printed after a batch began is an example of what went wrong then, not
 * necessarily an RPC of that batch.
 */
class FailureLog {
  private readonly recent: ObservedFailure[] = [];

  observe(error: string): void {
    this.recent.push({ at: Date.now(), error });
    if (this.recent.length > RECENT_FAILURES_KEPT) this.recent.shift();
  }

  firstSince(since: number): string | undefined {
    return this.recent.find((f) => f.at >= since)?.error;
  }
}

function getClientStats(call: GetClientStats, rpcs: number): Promise<LoadBalancerStatsResponse> {
  const timeoutSec = Math.ceil(rpcs / QPS + RPC_TIMEOUT_S) + STATS_SLACK_S;
  const deadline = Date.now() + (timeoutSec + STATS_SLACK_S) * 1_000;
  return new Promise((resolve, reject) => {
    call({ num_rpcs: rpcs, timeout_sec: timeoutSec }, { deadline }, (error, response) => {
      if (error || !response) reject(error ?? new Error('GetClientStats returned no response'));
      else resolve(response);
    });
  });
}

export async function startGrpcGoDriver(target: string, bootstrap: BootstrapOptions): Promise<TrafficDriver> {
  const bootstrapFile = await writeBootstrapFile(grpcXdsBootstrap(bootstrap));
  const failures = new FailureLog();
  let Stats: grpc.ServiceClientConstructor | undefined;
  const peer: GoPeerProcess = await startGoPeerProcess({
    peer: 'grpc-go-xds-client',
    args: (port) => [
      `--server=${target}`,
      `--stats_port=${port}`,
      `--qps=${QPS}`,
      '--rpc=UnaryCall',
      `--rpc_timeout=${RPC_TIMEOUT_S}s`,
      '--print_response', // for the failed RPCs' errors; the rest is dropped below
    ],
    env: {
      GRPC_XDS_BOOTSTRAP: bootstrapFile,
      // The xDS client's traces, to stderr, kept in a buffer and printed only when a test fails.
      GRPC_GO_LOG_SEVERITY_LEVEL: 'info',
      GRPC_GO_LOG_VERBOSITY_LEVEL: '99',
    },
    probe: async (port) => {
      Stats = await serviceClientByReflection(`127.0.0.1:${port}`, STATS_SERVICE, CONTROL_DEADLINE_MS);
    },
    readyWithinMs: READY_WITHIN_MS,
    onStdoutLine: (line, logs) => {
      if (line.startsWith('Greeting: ')) return; // one per successful RPC
      const failed = FAILED_RPC.exec(line);
      if (failed?.[1] !== undefined) failures.observe(failed[1]);
      logs.push(line);
    },
  });
  if (!Stats) throw new Error('grpc-go-xds-client became ready without a stats client');
  const address = `127.0.0.1:${peer.port}`;
  const stats = new Stats(address, grpc.credentials.createInsecure());
  const csds = connectCsds(address, CONTROL_DEADLINE_MS);
  const call = (stats['GetClientStats'] as GetClientStats).bind(stats);

  return {
    description: `grpc-go ${goPeerPinnedVersion('grpc-go-xds-client')} (xDS interop client)`,
    async sendBatch(rpcs: number): Promise<BatchResult> {
      const exited = peer.exitReason();
      if (exited !== undefined) throw new Error(`${exited}; its output:\n${peer.logs.text().slice(-4_000)}`);
      const since = Date.now();
      const response = await getClientStats(call, rpcs);
      const failed = response.num_failures ?? 0;
      const firstFailure =
        failed === 0 ? undefined : (failures.firstSince(since) ?? 'no error printed (the RPCs did not finish in time)');
      const byBackend: Record<string, number> = {};
      for (const { key = '', value = 0 } of response.rpcs_by_peer ?? []) byBackend[key] = (byBackend[key] ?? 0) + value;
      return { byBackend, failures: failed, ...(firstFailure === undefined ? {} : { firstFailure }) };
    },
    nackedResources: () => csds.nackedResources(),
    recentLogs: () => peer.logs.text(),
    async close(): Promise<void> {
      stats.close();
      csds.close();
      await peer.stop();
    },
  };
}

/**
 * TrafficProbe for grpc-go's xDS interop client (.peers/bin/grpc-go-xds-client).
 * It sends UnaryCall at a fixed rate for as long as it runs; a send first sets
 * the metadata and deadline of the RPCs to come through the client's own
 * XdsUpdateClientConfigureService.Configure, then asks
 * LoadBalancerStatsService.GetClientStats for the next N RPCs. Failures by
 * status code come from the errors the client prints (--print_response) while
 * those RPCs run. Concurrency is rate × latency; latency is not reported.
 */
import * as grpc from '@grpc/grpc-js';
import { startGoPeerProcess, type GoPeerProcess } from '../../helpers/go-peer-process.js';
import { goPeerPinnedVersion } from '../../helpers/interop-peers.js';
import { grpcXdsBootstrap, writeBootstrapFile, type BootstrapOptions } from '../../helpers/xds-bootstrap.js';
import { ResultTally, type ProbeResult, type RpcOptions, type TrafficProbe } from '../scenarios/traffic-probe.js';
import { connectCsds } from './csds-reader.js';
import { serviceClientByReflection } from './grpc-go-reflection.js';

const QPS = 100;
const READY_WITHIN_MS = 10_000;
const CONTROL_DEADLINE_MS = 5_000;
/** Beyond the RPCs' own time, how long GetClientStats may wait for them. */
const STATS_SLACK_S = 5;
const STATS_SERVICE = 'grpc.testing.LoadBalancerStatsService';
const CONFIGURE_SERVICE = 'grpc.testing.XdsUpdateClientConfigureService';
/** `RPC "UnaryCall", failed with rpc error: code = Unavailable desc = ...` */
const FAILED_RPC = /^RPC "UnaryCall", failed with rpc error: code = (\w+) desc = (.*)$/;
const FAILURES_KEPT = 20_000;

interface LoadBalancerStatsResponse {
  readonly rpcs_by_peer?: ReadonlyArray<{ readonly key?: string; readonly value?: number }>;
  readonly num_failures?: number;
}

type Callback<T> = (error: grpc.ServiceError | null, response?: T) => void;
type GetClientStats = (request: { num_rpcs: number; timeout_sec: number }, options: grpc.CallOptions, callback: Callback<LoadBalancerStatsResponse>) => void;
interface ClientConfigureRequest {
  readonly types: readonly string[];
  readonly metadata: ReadonlyArray<{ readonly type: string; readonly key: string; readonly value: string }>;
  readonly timeout_sec: number;
}
type Configure = (request: ClientConfigureRequest, options: grpc.CallOptions, callback: Callback<object>) => void;

/** grpc-go prints codes in Go's spelling ("DeadlineExceeded"); the other drivers use the canonical names. */
function canonicalCode(goName: string): string {
  return goName.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

interface PrintedFailure {
  readonly at: number;
  readonly code: string;
  readonly details: string;
}

function call<Req, Res>(method: (r: Req, o: grpc.CallOptions, c: Callback<Res>) => void, request: Req, deadlineMs: number): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, { deadline: Date.now() + deadlineMs }, (error, response) => {
      if (error || !response) reject(error ?? new Error('empty response'));
      else resolve(response);
    });
  });
}

export async function startGrpcGoProbe(target: string, bootstrap: BootstrapOptions): Promise<TrafficProbe> {
  const bootstrapFile = await writeBootstrapFile(grpcXdsBootstrap(bootstrap));
  const printed: PrintedFailure[] = [];
  let Stats: grpc.ServiceClientConstructor | undefined;
  let Configurer: grpc.ServiceClientConstructor | undefined;
  const peer: GoPeerProcess = await startGoPeerProcess({
    peer: 'grpc-go-xds-client',
    args: (port) => [`--server=${target}`, `--stats_port=${port}`, `--qps=${QPS}`, '--rpc=UnaryCall', '--rpc_timeout=1s', '--print_response'],
    env: { GRPC_XDS_BOOTSTRAP: bootstrapFile, GRPC_GO_LOG_SEVERITY_LEVEL: 'info', GRPC_GO_LOG_VERBOSITY_LEVEL: '99' },
    probe: async (port) => {
      Stats = await serviceClientByReflection(`127.0.0.1:${port}`, STATS_SERVICE, CONTROL_DEADLINE_MS);
      Configurer = await serviceClientByReflection(`127.0.0.1:${port}`, CONFIGURE_SERVICE, CONTROL_DEADLINE_MS);
    },
    readyWithinMs: READY_WITHIN_MS,
    onStdoutLine: (line, logs) => {
      if (line.startsWith('Greeting: ')) return;
      const failed = FAILED_RPC.exec(line);
      if (failed?.[1] !== undefined) {
        printed.push({ at: Date.now(), code: canonicalCode(failed[1]), details: failed[2] ?? '' });
        if (printed.length > FAILURES_KEPT) printed.shift();
      }
      logs.push(line);
    },
  });
  if (!Stats || !Configurer) throw new Error('grpc-go-xds-client became ready without its control services');
  const address = `127.0.0.1:${peer.port}`;
  const stats = new Stats(address, grpc.credentials.createInsecure());
  const configurer = new Configurer(address, grpc.credentials.createInsecure());
  const csds = connectCsds(address, CONTROL_DEADLINE_MS);
  const getClientStats = (stats['GetClientStats'] as GetClientStats).bind(stats);
  const configure = (configurer['Configure'] as Configure).bind(configurer);
  let configured = '';

  async function send(options: RpcOptions): Promise<ProbeResult> {
    const exited = peer.exitReason();
    if (exited !== undefined) throw new Error(`${exited}; its output:\n${peer.logs.text().slice(-4_000)}`);
    const request: ClientConfigureRequest = {
      types: ['UNARY_CALL'],
      metadata: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ type: 'UNARY_CALL', key, value })),
      timeout_sec: options.deadlineSeconds,
    };
    if (JSON.stringify(request) !== configured) {
      await call(configure, request, CONTROL_DEADLINE_MS);
      configured = JSON.stringify(request);
    }
    const since = Date.now();
    const timeoutSec = Math.ceil(options.rpcs / QPS) + options.deadlineSeconds + STATS_SLACK_S;
    const response = await call(getClientStats, { num_rpcs: options.rpcs, timeout_sec: timeoutSec }, (timeoutSec + STATS_SLACK_S) * 1_000);
    const tally = new ResultTally();
    for (const { key = '', value = 0 } of response.rpcs_by_peer ?? []) for (let i = 0; i < value; i += 1) tally.answer(key);
    const seen = printed.filter((f) => f.at >= since);
    for (const f of seen) tally.fail(f.code, f.details);
    // Failures GetClientStats counted whose error was not printed yet (still running when it gave up).
    for (let i = seen.length; i < (response.num_failures ?? 0); i += 1) tally.fail('NOT_FINISHED', 'still running when GetClientStats returned');
    return tally.result();
  }

  return {
    description: `grpc-go ${goPeerPinnedVersion('grpc-go-xds-client')} (xDS interop client)`,
    measuresLatency: false,
    sendsOnlyWhenAsked: false,
    overlappingSends: false,
    send,
    nackedResources: () => csds.nackedResources(),
    recentLogs: () => peer.logs.text(),
    async close(): Promise<void> {
      stats.close();
      configurer.close();
      csds.close();
      await peer.stop();
    },
  };
}

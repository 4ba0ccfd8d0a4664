/**
 * Proxyless gRPC clients that take their transport security from xDS (gRFC
 * A29), each as its own process with its own bootstrap:
 *
 * - grpc-go: its xDS interop client with --secure_mode (xds.NewClientCredentials
 *   with an insecure fallback), sending UnaryCall continuously; an outcome is
 *   the next N RPCs it prints (--print_response), NACKs from its CSDS.
 * - grpc-js: test/helpers/grpc-js-xds-credentials-client.ts (XdsChannelCredentials
 *   with an insecure fallback) under tsx, and
 * - grpcio (C-core): test/interop/clients/grpcio_client.py --xds-credentials
 *   (grpc.xds_channel_credentials with an insecure fallback),
 *   both sending N RPCs per JSON command and answering with their CSDS view.
 *
 * The bootstrap is the one pilot-agent writes for a proxyless app: a
 * "file_watcher" certificate-provider instance named "default" over
 * cert-chain.pem, key.pem and root-cert.pem, refreshed every 15 minutes.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { connectCsds } from '../interop/drivers/csds-reader.js';
import { serviceClientByReflection } from '../interop/drivers/grpc-go-reflection.js';
import type { NackedResource } from '../interop/scenarios/traffic-driver.js';
import { waitForExit } from './child-processes.js';
import { startGoPeerProcess } from './go-peer-process.js';
import { goPeerPinnedVersion, PEERS_PYTHON, pinnedVersion, REPO_ROOT } from './interop-peers.js';
import { LogBuffer } from './log-buffer.js';
import type { CertificateFiles } from './workload-certificates.js';
import { grpcXdsBootstrap, writeBootstrapFile, type BootstrapOptions, type GrpcXdsBootstrap } from './xds-bootstrap.js';

export type XdsCredentialsClientKind = 'grpc-go' | 'grpc-js' | 'grpcio';

/** What N RPCs came to. */
export interface RpcOutcome {
  /** Answered RPCs by the backend's "hostname" header. */
  readonly byBackend: Readonly<Record<string, number>>;
  readonly failures: number;
  /** Distinct failure messages, a few. */
  readonly samples: readonly string[];
  readonly nacked: readonly NackedResource[];
}

export interface XdsCredentialsClient {
  readonly description: string;
  send(rpcs: number): Promise<RpcOutcome>;
  recentLogs(): string;
  close(): Promise<void>;
}

export interface CertificateProviderBootstrap extends GrpcXdsBootstrap {
  readonly certificate_providers: Readonly<Record<string, { readonly plugin_name: string; readonly config: Readonly<Record<string, string>> }>>;
}

/** istio's grpcxds.GenerateBootstrap with a cert dir: the node's bootstrap plus the "default" file_watcher instance. */
export function certificateProviderBootstrap(options: BootstrapOptions, certs: CertificateFiles): CertificateProviderBootstrap {
  return {
    ...grpcXdsBootstrap(options),
    certificate_providers: {
      default: {
        plugin_name: 'file_watcher',
        config: {
          certificate_file: certs.certChainPath,
          private_key_file: certs.keyPath,
          ca_certificate_file: certs.rootCertPath,
          // istio writes durationpb 15m in protojson form; grpc-js requires it to be present.
          refresh_interval: '900s',
        },
      },
    },
  };
}

const RPC_TIMEOUT_S = 2;
const EXIT_GRACE_MS = 3_000;
const READY_WITHIN_MS = 15_000;
const CONTROL_DEADLINE_MS = 5_000;

// ---- grpc-js and grpcio: one JSON command in, one JSON answer out ----

interface CommandAnswer {
  readonly by_backend: Record<string, number>;
  readonly errors: Record<string, number>;
  readonly samples: readonly string[];
  readonly nacked: ReadonlyArray<{ type_url: string; name: string; details: string }>;
}

function startCommandClient(description: string, command: string, args: readonly string[], bootstrapFile: string): XdsCredentialsClient {
  const env: NodeJS.ProcessEnv = { ...process.env, GRPC_XDS_BOOTSTRAP: bootstrapFile, GRPC_TRACE: 'xds_client', GRPC_VERBOSITY: 'DEBUG' };
  delete env['GRPC_XDS_BOOTSTRAP_CONFIG'];
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'], cwd: REPO_ROOT });
  const logs = new LogBuffer();
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => logs.push(chunk));
  let pending: { resolve: (a: CommandAnswer) => void; reject: (e: Error) => void } | undefined;
  let exited: string | undefined;
  createInterface({ input: child.stdout }).on('line', (text) => {
    let answer: CommandAnswer;
    try {
      answer = JSON.parse(text) as CommandAnswer;
    } catch {
      logs.push(`[stdout, not JSON] ${text}`);
      return;
    }
    const done = pending;
    pending = undefined;
    done?.resolve(answer);
  });
  child.on('exit', (code, signal) => {
    exited = `${description} exited (code ${code}, signal ${signal})`;
    pending?.reject(new Error(`${exited}; stderr tail:\n${logs.text().slice(-4_000)}`));
    pending = undefined;
  });
  return {
    description,
    async send(rpcs: number): Promise<RpcOutcome> {
      if (exited) throw new Error(`${exited}; stderr tail:\n${logs.text().slice(-4_000)}`);
      if (pending) throw new Error('one send at a time');
      const answer = await new Promise<CommandAnswer>((resolve, reject) => {
        pending = { resolve, reject };
        child.stdin.write(`${JSON.stringify({ rpcs, timeout: RPC_TIMEOUT_S })}\n`);
      });
      return {
        byBackend: answer.by_backend,
        failures: Object.values(answer.errors).reduce((a, b) => a + b, 0),
        samples: answer.samples,
        nacked: answer.nacked.map((r) => ({ typeUrl: r.type_url, name: r.name, details: r.details })),
      };
    },
    recentLogs: () => logs.text(),
    async close(): Promise<void> {
      child.stdin.end(); // both clients stop when stdin closes
      if (!(await waitForExit(child, EXIT_GRACE_MS))) {
        child.kill('SIGKILL');
        await waitForExit(child, EXIT_GRACE_MS);
      }
    },
  };
}

// ---- grpc-go: continuous RPCs, outcomes read from its printed lines ----

const GRPC_GO_QPS = 20;
/** --print_response: `Greeting: Hello world, this is <hostname>, from <addr>` per answer... */
const ANSWERED = /^Greeting: Hello world, this is (.*), from /;
/** ...and `RPC "UnaryCall", failed with <error>` per failure. */
const FAILED = /^RPC "\w+", failed with (.*)$/;
const MAX_SAMPLES = 10;

type Printed = { readonly backend: string } | { readonly error: string };

async function startGrpcGoClient(target: string, bootstrapFile: string): Promise<XdsCredentialsClient> {
  let waiting: { rpcs: number; got: Printed[]; resolve: (p: Printed[]) => void } | undefined;
  const onPrinted = (printed: Printed): void => {
    if (!waiting) return;
    waiting.got.push(printed);
    if (waiting.got.length >= waiting.rpcs) {
      const done = waiting;
      waiting = undefined;
      done.resolve(done.got);
    }
  };
  const peer = await startGoPeerProcess({
    peer: 'grpc-go-xds-client',
    args: (port) => [
      `--server=${target}`,
      `--stats_port=${port}`,
      `--qps=${GRPC_GO_QPS}`,
      '--rpc=UnaryCall',
      `--rpc_timeout=${RPC_TIMEOUT_S}s`,
      '--print_response',
      '--secure_mode',
    ],
    env: { GRPC_XDS_BOOTSTRAP: bootstrapFile, GRPC_GO_LOG_SEVERITY_LEVEL: 'info', GRPC_GO_LOG_VERBOSITY_LEVEL: '2' },
    // Its stats service answers once the process serves; the xDS channel comes up on its own.
    probe: async (port) => {
      await serviceClientByReflection(`127.0.0.1:${port}`, 'grpc.testing.LoadBalancerStatsService', CONTROL_DEADLINE_MS);
    },
    readyWithinMs: READY_WITHIN_MS,
    onStdoutLine: (line, logs) => {
      const answered = ANSWERED.exec(line);
      if (answered?.[1] !== undefined) return onPrinted({ backend: answered[1] });
      const failed = FAILED.exec(line);
      if (failed?.[1] !== undefined) onPrinted({ error: failed[1] });
      logs.push(line);
    },
  });
  const csds = connectCsds(`127.0.0.1:${peer.port}`, CONTROL_DEADLINE_MS);
  return {
    description: `grpc-go ${goPeerPinnedVersion('grpc-go-xds-client')} (xDS interop client, --secure_mode)`,
    async send(rpcs: number): Promise<RpcOutcome> {
      const exited = peer.exitReason();
      if (exited !== undefined) throw new Error(`${exited}; its output:\n${peer.logs.text().slice(-4_000)}`);
      if (waiting) throw new Error('one send at a time');
      // Every RPC ends within its deadline, so N of them print within N/qps plus one deadline; past that (and a margin) something is wrong.
      const limitMs = ((rpcs / GRPC_GO_QPS) + RPC_TIMEOUT_S + 10) * 1_000;
      let timer: NodeJS.Timeout | undefined;
      const printed = await Promise.race([
        new Promise<Printed[]>((resolve) => {
          waiting = { rpcs, got: [], resolve };
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            waiting = undefined;
            reject(new Error(`grpc-go printed fewer than ${rpcs} RPC results in ${limitMs} ms; its output:\n${peer.logs.text().slice(-4_000)}`));
          }, limitMs);
        }),
      ]).finally(() => clearTimeout(timer));
      const byBackend: Record<string, number> = {};
      const samples: string[] = [];
      let failures = 0;
      for (const p of printed) {
        if ('backend' in p) byBackend[p.backend] = (byBackend[p.backend] ?? 0) + 1;
        else {
          failures += 1;
          if (samples.length < MAX_SAMPLES && !samples.includes(p.error)) samples.push(p.error);
        }
      }
      return { byBackend, failures, samples, nacked: await csds.nackedResources() };
    },
    recentLogs: () => peer.logs.text(),
    async close(): Promise<void> {
      csds.close();
      await peer.stop();
    },
  };
}

/** Starts a client of `kind` dialing `target` with this bootstrap (written to a temp file). */
export async function startXdsCredentialsClient(kind: XdsCredentialsClientKind, target: string, bootstrap: CertificateProviderBootstrap): Promise<XdsCredentialsClient> {
  const bootstrapFile = await writeBootstrapFile(bootstrap);
  switch (kind) {
    case 'grpc-go':
      return startGrpcGoClient(target, bootstrapFile);
    case 'grpc-js':
      return startCommandClient(
        `grpc-js ${packageVersion('@grpc/grpc-js')} with @grpc/grpc-js-xds ${packageVersion('@grpc/grpc-js-xds')} (XdsChannelCredentials)`,
        process.execPath,
        ['--import', 'tsx', path.join(REPO_ROOT, 'test/helpers/grpc-js-xds-credentials-client.ts'), target],
        bootstrapFile,
      );
    case 'grpcio':
      return startCommandClient(
        `grpcio ${pinnedVersion('grpcio')} (gRPC C-core, xds_channel_credentials)`,
        PEERS_PYTHON,
        [path.join(REPO_ROOT, 'test/interop/clients/grpcio_client.py'), '--target', target, '--commands', '--xds-credentials'],
        bootstrapFile,
      );
  }
}

/** The installed version of an npm package, not the range package.json asks for. */
function packageVersion(name: string): string {
  return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
}

export interface SendUntilOptions {
  readonly rpcsPerSend: number;
  readonly withinMs: number;
  /** tsiod's recent log, added to the error for a reader. */
  readonly tsiodLog: () => string;
}

/** Sends batches until `done` holds for one; throws with everything a reader needs when it never does. */
export async function sendUntil(client: XdsCredentialsClient, what: string, done: (o: RpcOutcome) => boolean, options: SendUntilOptions): Promise<RpcOutcome> {
  const deadline = Date.now() + options.withinMs;
  let last: RpcOutcome | undefined;
  while (Date.now() < deadline) {
    last = await client.send(options.rpcsPerSend);
    if (done(last)) return last;
  }
  throw new Error(
    `${client.description}: ${what} not seen within ${options.withinMs} ms; last outcome: ${JSON.stringify(last)}\n` +
      `--- client log tail ---\n${client.recentLogs().slice(-6_000)}\n--- tsiod log tail ---\n${options.tsiodLog().slice(-4_000)}`,
  );
}

/**
 * TrafficProbe for gRPC C-core through Python grpcio: clients/grpcio_client.py
 * in --commands mode, one JSON command per send on its stdin, one JSON result
 * line back on its stdout.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { waitForExit } from '../../helpers/child-processes.js';
import { PEERS_PYTHON, REPO_ROOT, pinnedVersion } from '../../helpers/interop-peers.js';
import { LogBuffer } from '../../helpers/log-buffer.js';
import { grpcXdsBootstrap, writeBootstrapFile, type BootstrapOptions } from '../../helpers/xds-bootstrap.js';
import type { NackedResource } from '../scenarios/traffic-driver.js';
import type { ProbeResult, RpcOptions, TrafficProbe } from '../scenarios/traffic-probe.js';

const CLIENT_SCRIPT = path.join(REPO_ROOT, 'test/interop/clients/grpcio_client.py');
const EXIT_GRACE_MS = 3_000;

/** One result line of grpcio_client.py --commands. */
interface CommandResultLine {
  readonly by_backend: Record<string, number>;
  readonly errors: Record<string, number>;
  readonly samples: readonly string[];
  readonly fastest_ms?: number;
  readonly nacked: ReadonlyArray<{ type_url: string; name: string; details: string }>;
}

interface Pending {
  readonly resolve: (line: CommandResultLine) => void;
  readonly reject: (error: Error) => void;
}

export async function startGrpcioProbe(target: string, bootstrap: BootstrapOptions): Promise<TrafficProbe> {
  const bootstrapFile = await writeBootstrapFile(grpcXdsBootstrap(bootstrap));
  const env: NodeJS.ProcessEnv = { ...process.env, GRPC_XDS_BOOTSTRAP: bootstrapFile, GRPC_TRACE: 'xds_client', GRPC_VERBOSITY: 'DEBUG' };
  delete env['GRPC_XDS_BOOTSTRAP_CONFIG'];
  const child = spawn(PEERS_PYTHON, [CLIENT_SCRIPT, '--target', target, '--commands'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const logs = new LogBuffer();
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => logs.push(chunk));

  let pending: Pending | undefined;
  let lastNacked: readonly NackedResource[] = [];
  let exited: string | undefined;

  createInterface({ input: child.stdout }).on('line', (text) => {
    let line: CommandResultLine;
    try {
      line = JSON.parse(text) as CommandResultLine;
    } catch {
      logs.push(`[stdout, not JSON] ${text}`);
      return;
    }
    lastNacked = line.nacked.map((r) => ({ typeUrl: r.type_url, name: r.name, details: r.details }));
    const done = pending;
    pending = undefined;
    done?.resolve(line);
  });
  child.on('exit', (code, signal) => {
    exited = `grpcio_client.py exited (code ${code}, signal ${signal})`;
    pending?.reject(new Error(`${exited}; stderr tail:\n${logs.text().slice(-4_000)}`));
    pending = undefined;
  });

  async function send(options: RpcOptions): Promise<ProbeResult> {
    if (exited) throw new Error(exited);
    if (pending) throw new Error('one send at a time');
    const line = await new Promise<CommandResultLine>((resolve, reject) => {
      pending = { resolve, reject };
      const command = {
        rpcs: options.rpcs,
        metadata: options.metadata ?? {},
        timeout: options.deadlineSeconds,
        concurrency: options.concurrency ?? 1,
      };
      child.stdin.write(`${JSON.stringify(command)}\n`);
    });
    return {
      byBackend: line.by_backend,
      failuresByCode: line.errors,
      failureSamples: line.samples,
      ...(line.fastest_ms === undefined ? {} : { fastestAnsweredMs: line.fastest_ms }),
    };
  }

  return {
    description: `grpcio ${pinnedVersion('grpcio')} (gRPC C-core)`,
    measuresLatency: true,
    sendsOnlyWhenAsked: true,
    overlappingSends: false,
    send,
    // The client reads its CSDS view after every command: send one RPC for a fresh view.
    async nackedResources(): Promise<readonly NackedResource[]> {
      await send({ rpcs: 1, deadlineSeconds: 1 });
      return lastNacked;
    },
    recentLogs: () => logs.text(),
    async close(): Promise<void> {
      child.stdin.end();
      if (!(await waitForExit(child, EXIT_GRACE_MS))) {
        child.kill('SIGKILL');
        await waitForExit(child, EXIT_GRACE_MS);
      }
    },
  };
}

/**
 * TrafficDriver for gRPC C-core through Python grpcio: runs
 * clients/grpcio_client.py from .peers/venv, which sends RPCs continuously and
 * prints one JSON line per batch; a sendBatch call tallies the lines of
 * batches begun after it.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { waitForExit } from '../../helpers/child-processes.js';
import { PEERS_PYTHON, REPO_ROOT, pinnedVersion } from '../../helpers/interop-peers.js';
import { LogBuffer } from '../../helpers/log-buffer.js';
import { grpcXdsBootstrap, writeBootstrapFile, type BootstrapOptions } from '../../helpers/xds-bootstrap.js';
import { EMPTY_BATCH, mergeBatches, type BatchResult, type NackedResource, type TrafficDriver } from '../scenarios/traffic-driver.js';

const CLIENT_SCRIPT = path.join(REPO_ROOT, 'test/interop/clients/grpcio_client.py');
const RPCS_PER_LINE = 50;
const EXIT_GRACE_MS = 3_000;

/** One stdout line of grpcio_client.py. */
interface ClientBatchLine {
  readonly started_ms: number;
  readonly ended_ms: number;
  readonly rpcs: number;
  readonly by_backend: Record<string, number>;
  readonly errors: Record<string, number>;
  readonly first_error?: string;
  readonly nacked: ReadonlyArray<{ type_url: string; name: string; details: string }>;
}

interface PendingBatch {
  readonly since: number;
  readonly rpcs: number;
  tally: BatchResult;
  readonly resolve: (batch: BatchResult) => void;
  readonly reject: (error: Error) => void;
}

function toBatch(line: ClientBatchLine): BatchResult {
  const failures = Object.values(line.errors).reduce((a, b) => a + b, 0);
  return { byBackend: line.by_backend, failures, ...(line.first_error === undefined ? {} : { firstFailure: line.first_error }) };
}

export async function startGrpcioDriver(target: string, bootstrap: BootstrapOptions): Promise<TrafficDriver> {
  const bootstrapFile = await writeBootstrapFile(grpcXdsBootstrap(bootstrap));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GRPC_XDS_BOOTSTRAP: bootstrapFile,
    // Traces go to stderr, kept in a buffer and printed only when a test fails.
    GRPC_TRACE: 'xds_client',
    GRPC_VERBOSITY: 'DEBUG',
  };
  delete env['GRPC_XDS_BOOTSTRAP_CONFIG'];
  const child = spawn(PEERS_PYTHON, [CLIENT_SCRIPT, '--target', target, '--batch', String(RPCS_PER_LINE)], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const logs = new LogBuffer();
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => logs.push(chunk));

  let pending: PendingBatch | undefined;
  let lastNacked: readonly NackedResource[] = [];
  let exited: string | undefined;

  createInterface({ input: child.stdout }).on('line', (text) => {
    let line: ClientBatchLine;
    try {
      line = JSON.parse(text) as ClientBatchLine;
    } catch {
      logs.push(`[stdout, not JSON] ${text}`);
      return;
    }
    lastNacked = line.nacked.map((r) => ({ typeUrl: r.type_url, name: r.name, details: r.details }));
    // A batch begun before the call may have run on the old config: not part of the answer.
    if (!pending || line.started_ms < pending.since) return;
    pending.tally = mergeBatches(pending.tally, toBatch(line));
    const counted = Object.values(pending.tally.byBackend).reduce((a, b) => a + b, 0) + pending.tally.failures;
    if (counted >= pending.rpcs) {
      const done = pending;
      pending = undefined;
      done.resolve(done.tally);
    }
  });
  child.on('exit', (code, signal) => {
    exited = `grpcio_client.py exited (code ${code}, signal ${signal})`;
    pending?.reject(new Error(`${exited}; stderr tail:\n${logs.text().slice(-4_000)}`));
    pending = undefined;
  });

  return {
    description: `grpcio ${pinnedVersion('grpcio')} (gRPC C-core)`,
    sendBatch(rpcs: number): Promise<BatchResult> {
      if (exited) return Promise.reject(new Error(exited));
      if (pending) return Promise.reject(new Error('one sendBatch at a time'));
      return new Promise((resolve, reject) => {
        pending = { since: Date.now(), rpcs, tally: EMPTY_BATCH, resolve, reject };
      });
    },
    nackedResources: () => Promise.resolve(lastNacked),
    recentLogs: () => logs.text(),
    async close(): Promise<void> {
      child.stdin.end(); // the client stops when its stdin closes
      if (!(await waitForExit(child, EXIT_GRACE_MS))) {
        child.kill('SIGKILL');
        await waitForExit(child, EXIT_GRACE_MS);
      }
    },
  };
}

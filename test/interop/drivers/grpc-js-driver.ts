/**
 * TrafficDriver for grpc-js with @grpc/grpc-js-xds: a channel to xds:///reviews
 * in this process, TestService.UnaryCall RPCs with several in flight at once,
 * counted by the answering backend's "hostname" header.
 */
import type { NackedResource } from '../scenarios/traffic-driver.js';
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import { unaryCallHostname } from '../../helpers/echo-service.js';
import { LogBuffer } from '../../helpers/log-buffer.js';
import { grpcXdsBootstrap, type BootstrapOptions } from '../../helpers/xds-bootstrap.js';
import type { BatchResult, TrafficDriver } from '../scenarios/traffic-driver.js';
import { startCsdsReader } from './grpc-js-csds.js';

const IN_FLIGHT = 16;
const RPC_DEADLINE_MS = 1_000;

export function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  return (require(`${name}/package.json`) as { version: string }).version;
}

/** Sends grpc-js log output to `logs`, and checks GRPC_TRACE took effect (it is read once, at load). */
export function captureGrpcLogs(logs: LogBuffer): void {
  const toBuffer = (...args: unknown[]): void => logs.push(args.map(String).join(' '));
  grpc.setLogger({ error: toBuffer, info: toBuffer, debug: toBuffer });
  const probe = 'tsiod-interop trace probe';
  grpc.experimental.trace(grpc.logVerbosity.DEBUG, 'xds_client', probe);
  if (!logs.text().includes(probe)) {
    throw new Error('grpc-js xds_client tracing is off: import grpc-js-trace-env.js before anything loads @grpc/grpc-js');
  }
}

async function sendBatch(client: grpc.Client, rpcs: number): Promise<BatchResult> {
  const byBackend: Record<string, number> = {};
  let failures = 0;
  let firstFailure: string | undefined;
  let remaining = rpcs;
  const worker = async (): Promise<void> => {
    while (remaining > 0) {
      remaining -= 1;
      try {
        const backend = await unaryCallHostname(client, RPC_DEADLINE_MS);
        byBackend[backend] = (byBackend[backend] ?? 0) + 1;
      } catch (error) {
        failures += 1;
        const e = error as Partial<grpc.ServiceError>;
        firstFailure ??= `${e.code === undefined ? '' : grpc.status[e.code]}: ${e.details ?? e.message ?? String(error)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, rpcs) }, worker));
  return { byBackend, failures, ...(firstFailure === undefined ? {} : { firstFailure }) };
}

/** A grpc-js client dialing an xds: target through tsiod, with its logs and CSDS view. */
export interface GrpcJsXdsConnection {
  readonly client: grpc.Client;
  readonly description: string;
  nackedResources(): Promise<readonly NackedResource[]>;
  recentLogs(): string;
  close(): Promise<void>;
}

/**
 * Registers the xds: scheme with a bootstrap for tsiod at xdsPort and dials
 * `target`. Callable once per process: grpc-js-xds reads its bootstrap once.
 */
export async function connectGrpcJsXds(target: string, bootstrap: BootstrapOptions): Promise<GrpcJsXdsConnection> {
  const logs = new LogBuffer();
  captureGrpcLogs(logs);
  // GRPC_XDS_BOOTSTRAP (a file) would take precedence over the inline config.
  delete process.env['GRPC_XDS_BOOTSTRAP'];
  process.env['GRPC_XDS_BOOTSTRAP_CONFIG'] = JSON.stringify(grpcXdsBootstrap(bootstrap));
  const xds = await import('@grpc/grpc-js-xds');
  xds.register();
  const csds = await startCsdsReader();
  const client = new grpc.Client(target, grpc.credentials.createInsecure());
  return {
    client,
    description: `grpc-js ${packageVersion('@grpc/grpc-js')} (@grpc/grpc-js-xds ${packageVersion('@grpc/grpc-js-xds')})`,
    nackedResources: () => csds.nackedResources(),
    recentLogs: () => logs.text(),
    async close(): Promise<void> {
      client.close();
      await csds.close();
    },
  };
}

export async function startGrpcJsDriver(target: string, bootstrap: BootstrapOptions): Promise<TrafficDriver> {
  const connection = await connectGrpcJsXds(target, bootstrap);
  return {
    description: connection.description,
    sendBatch: (rpcs) => sendBatch(connection.client, rpcs),
    nackedResources: () => connection.nackedResources(),
    recentLogs: () => connection.recentLogs(),
    close: () => connection.close(),
  };
}

/**
 * grpc-go's xDS interop servers (.peers/bin/grpc-go-xds-server) as backends,
 * one process per pod name, with the same interface as the echo backends.
 * Each answers TestService.UnaryCall with its pod name in the "hostname"
 * header (--host_name_override), so a client can tell who served an RPC.
 */
import * as grpc from '@grpc/grpc-js';
import { unaryCallHostname } from './echo-service.js';
import { startGoPeerProcess, type GoPeerProcess } from './go-peer-process.js';

export interface GrpcGoBackends {
  /** The port of the backend with this pod name; throws for an unknown name. */
  portOf(name: string): number;
  stop(): Promise<void>;
}

const READY_WITHIN_MS = 10_000;
const PROBE_DEADLINE_MS = 1_000;

/** Resolves once the server on `port` answers a UnaryCall as `name`: proof it is this peer, not some other listener. */
async function answersAs(name: string, port: number): Promise<void> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    const hostname = await unaryCallHostname(client, PROBE_DEADLINE_MS);
    if (hostname !== name) throw new Error(`127.0.0.1:${port} answered as "${hostname}", not "${name}"`);
  } finally {
    client.close();
  }
}

function startOne(name: string): Promise<GoPeerProcess> {
  return startGoPeerProcess({
    peer: 'grpc-go-xds-server',
    args: (port) => [`--port=${port}`, `--server_id=${name}`, `--host_name_override=${name}`],
    probe: (port) => answersAs(name, port),
    readyWithinMs: READY_WITHIN_MS,
  });
}

export async function startGrpcGoBackends(names: readonly string[]): Promise<GrpcGoBackends> {
  if (new Set(names).size !== names.length) throw new Error(`backend names must be unique: ${names.join(', ')}`);
  const settled = await Promise.allSettled(names.map(startOne));
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((p) => p.stop()));
    throw failed.reason;
  }
  const byName = new Map(names.map((name, i) => [name, started[i]]));
  return {
    portOf(name: string): number {
      const backend = byName.get(name);
      if (!backend) throw new Error(`no grpc-go backend "${name}" (have ${names.join(', ')})`);
      return backend.port;
    },
    async stop(): Promise<void> {
      await Promise.all(started.map((p) => p.stop()));
    },
  };
}

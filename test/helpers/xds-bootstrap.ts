/**
 * gRPC xDS bootstrap configuration (gRFC A27; gRPC's doc/grpc_xds_bootstrap_format.md)
 * pointing a proxyless client at a tsiod on 127.0.0.1.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface GrpcXdsBootstrap {
  readonly xds_servers: ReadonlyArray<{
    readonly server_uri: string;
    readonly channel_creds: ReadonlyArray<{ readonly type: string }>;
    readonly server_features: readonly string[];
  }>;
  readonly node: {
    readonly id: string;
    readonly metadata: Readonly<Record<string, string>>;
    readonly locality: Readonly<Record<string, string>>;
  };
}

export interface BootstrapOptions {
  readonly xdsPort: number;
  readonly nodeId: string;
  /** Namespace the client's names resolve in (Istio's NAMESPACE node metadata). */
  readonly namespace?: string;
  /** More node metadata, e.g. { GENERATOR: 'grpc' } as istio-agent writes for proxyless clients. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export function grpcXdsBootstrap(options: BootstrapOptions): GrpcXdsBootstrap {
  return {
    xds_servers: [
      {
        server_uri: `127.0.0.1:${options.xdsPort}`,
        channel_creds: [{ type: 'insecure' }],
        // "xds_v3" is what pre-v3-only clients needed to speak v3; today's clients ignore it.
        server_features: ['xds_v3'],
      },
    ],
    node: {
      id: options.nodeId,
      metadata: { NAMESPACE: options.namespace ?? 'default', ...options.metadata },
      // Optional in gRFC A27, but grpc-js 1.14 rejects a node without it
      // ("locality field missing in node element").
      locality: {},
    },
  };
}

/** Writes the bootstrap to a fresh temp file and returns its path (for GRPC_XDS_BOOTSTRAP). */
export async function writeBootstrapFile(bootstrap: GrpcXdsBootstrap): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tsiod-bootstrap-'));
  const file = path.join(dir, 'bootstrap.json');
  await writeFile(file, JSON.stringify(bootstrap, null, 2));
  return file;
}

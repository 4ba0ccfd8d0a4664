/**
 * An xDS-enabled gRPC server (gRFC A36) from @grpc/grpc-js-xds: an
 * XdsServer on 127.0.0.1 whose transport security and authorization come
 * from the listener the control plane sends for
 * "<server_listener_resource_name_template with 127.0.0.1:<port>>"
 * (XdsServerCredentials, gRFC A29; RBAC, gRFC A41), with an insecure
 * fallback for a plaintext listener. It answers TestService.UnaryCall
 * with its name in the "hostname" header, as every backend here does, and
 * records the spiffe:// identities of the clients whose RPCs it served.
 *
 * grpc-js-xds implements RBAC only with GRPC_XDS_EXPERIMENTAL_RBAC=true,
 * read once when it loads, so this module sets it and loads the library
 * itself; it fails loudly if something loaded it first without it. The
 * bootstrap goes in through the server's own option, so one process can
 * run a server beside other xDS clients.
 */
import * as grpc from '@grpc/grpc-js';
import { createServer } from 'node:net';
import { registerIdentityEcho } from './identity-echo.js';

/** grpc-js-xds's BOOTSTRAP_CONFIG_KEY (server.js), for a bootstrap per server instead of one per process. */
const BOOTSTRAP_OPTION = 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config';
const SHUTDOWN_GRACE_MS = 1_000;

export interface XdsTestServer {
  readonly name: string;
  readonly port: number;
  /** The URI SANs of the client certificate of each RPC served ("(none)" for an RPC without one). */
  servedIdentities(): readonly string[];
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 now: XdsServer needs a concrete one, since it names its listener after it. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no port from 127.0.0.1:0'))));
    });
  });
}

async function loadXds(): Promise<typeof import('@grpc/grpc-js-xds')> {
  process.env['GRPC_XDS_EXPERIMENTAL_RBAC'] = 'true';
  const xds = await import('@grpc/grpc-js-xds');
  const environment = (await import('@grpc/grpc-js-xds/build/src/environment.js')) as { EXPERIMENTAL_RBAC?: boolean; default?: { EXPERIMENTAL_RBAC?: boolean } };
  if (!(environment.EXPERIMENTAL_RBAC ?? environment.default?.EXPERIMENTAL_RBAC)) {
    throw new Error('@grpc/grpc-js-xds was loaded before GRPC_XDS_EXPERIMENTAL_RBAC=true was set: its RBAC filter is off');
  }
  xds.register();
  return xds;
}

/**
 * Resolves once the server serves on 127.0.0.1:`port`, which grpc-js-xds
 * does only after the control plane sent a listener for it it accepted;
 * rejects after `readyWithinMs`.
 */
export async function startGrpcJsXdsServer(name: string, port: number, bootstrap: Readonly<Record<string, unknown>>, readyWithinMs: number): Promise<XdsTestServer> {
  const xds = await loadXds();
  const served: string[] = [];
  const server = new xds.XdsServer({ [BOOTSTRAP_OPTION]: JSON.stringify(bootstrap) } as grpc.ServerOptions);
  registerIdentityEcho(server, name, served, '(none)');
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      const force = setTimeout(() => server.forceShutdown(), SHUTDOWN_GRACE_MS);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`XdsServer ${name} was not serving on 127.0.0.1:${port} within ${readyWithinMs} ms (no accepted listener)`)), readyWithinMs);
      server.bindAsync(`127.0.0.1:${port}`, new xds.XdsServerCredentials(grpc.ServerCredentials.createInsecure()), (error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      });
    });
  } catch (error) {
    server.forceShutdown();
    throw error;
  }
  return { name, port, servedIdentities: () => [...served], stop };
}

/**
 * Reads grpc-js's own view of its xDS resources through CSDS (Client Status
 * Discovery Service), which @grpc/grpc-js-xds registers as a grpc-js admin
 * service: each resource's client_status, and for a NACKed one, why.
 */
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoIncludeDirs } from '../../../src/xds/proto/envoy-protos.js';
import type { NackedResource } from '../scenarios/traffic-driver.js';

/** The parts of envoy.service.status.v3.ClientStatusResponse read here (proto-loader, keepCase, enums as strings). */
interface ClientStatusResponse {
  readonly config?: ReadonlyArray<{
    readonly generic_xds_configs?: ReadonlyArray<{
      readonly type_url?: string;
      readonly name?: string;
      readonly client_status?: string;
      readonly error_state?: { readonly details?: string } | null;
    }>;
  }>;
}

type FetchClientStatus = (
  request: Record<string, never>,
  callback: (error: grpc.ServiceError | null, response?: ClientStatusResponse) => void,
) => void;

export interface CsdsReader {
  nackedResources(): Promise<readonly NackedResource[]>;
  close(): Promise<void>;
}

/** grpc-js 1.14 reports bare type names ("envoy.config.listener.v3.Listener") where CSDS has type URLs. */
function fullTypeUrl(typeUrl: string): string {
  return typeUrl === '' || typeUrl.includes('/') ? typeUrl : `type.googleapis.com/${typeUrl}`;
}

function csdsClientConstructor(): grpc.ServiceClientConstructor {
  const definition = loadSync('envoy/service/status/v3/csds.proto', {
    keepCase: true,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: protoIncludeDirs(),
  });
  const loaded = grpc.loadPackageDefinition(definition);
  let node: unknown = loaded;
  for (const part of ['envoy', 'service', 'status', 'v3', 'ClientStatusDiscoveryService']) {
    node = (node as Record<string, unknown>)[part];
  }
  if (typeof node !== 'function') throw new Error('csds.proto did not yield ClientStatusDiscoveryService');
  return node as grpc.ServiceClientConstructor;
}

function bindLoopback(server: grpc.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
      if (error) reject(error);
      else resolve(port);
    });
  });
}

/** Serves this process's admin services (CSDS among them) on 127.0.0.1 and returns a reader of them. */
export async function startCsdsReader(): Promise<CsdsReader> {
  const admin = new grpc.Server();
  grpc.addAdminServicesToServer(admin);
  const port = await bindLoopback(admin);
  const Csds = csdsClientConstructor();
  const client = new Csds(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const fetchClientStatus = (client['FetchClientStatus'] as FetchClientStatus).bind(client);
  return {
    nackedResources(): Promise<readonly NackedResource[]> {
      return new Promise((resolve, reject) => {
        fetchClientStatus({}, (error, response) => {
          if (error || !response) {
            reject(error ?? new Error('CSDS returned no response'));
            return;
          }
          const nacked = (response.config ?? [])
            .flatMap((c) => c.generic_xds_configs ?? [])
            .filter((r) => r.client_status === 'NACKED')
            .map((r) => ({ typeUrl: fullTypeUrl(r.type_url ?? ''), name: r.name ?? '', details: r.error_state?.details ?? '' }));
          resolve(nacked);
        });
      });
    },
    async close(): Promise<void> {
      client.close();
      admin.forceShutdown();
    },
  };
}

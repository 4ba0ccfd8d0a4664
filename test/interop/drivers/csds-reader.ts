/**
 * Reads an xDS client's own view of its resources through CSDS
 * (envoy.service.status.v3.ClientStatusDiscoveryService) at an address: each
 * resource's client_status, and for a NACKed one, why. grpc-go's admin
 * services serve it on the interop client's stats port; grpc-js-csds.ts serves
 * grpc-js's in this process.
 */
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoIncludeDirs } from '../../../src/xds/proto/envoy-protos.js';
import type { NackedResource } from '../scenarios/traffic-driver.js';
import { LOADER_OPTIONS, serviceClient } from './grpc-go-reflection.js';

const CSDS_SERVICE = 'envoy.service.status.v3.ClientStatusDiscoveryService';

/** The parts of envoy.service.status.v3.ClientStatusResponse read here (keepCase, enums as names). */
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
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: ClientStatusResponse) => void,
) => void;

export interface RemoteCsdsReader {
  nackedResources(): Promise<readonly NackedResource[]>;
  close(): void;
}

/** grpc-js 1.14 reports bare type names ("envoy.config.listener.v3.Listener") where CSDS has type URLs. */
function fullTypeUrl(typeUrl: string): string {
  return typeUrl === '' || typeUrl.includes('/') ? typeUrl : `type.googleapis.com/${typeUrl}`;
}

let csdsConstructor: grpc.ServiceClientConstructor | undefined;

export function connectCsds(address: string, deadlineMs: number): RemoteCsdsReader {
  csdsConstructor ??= serviceClient(
    loadSync('envoy/service/status/v3/csds.proto', { ...LOADER_OPTIONS, includeDirs: protoIncludeDirs() }),
    CSDS_SERVICE,
  );
  const client = new csdsConstructor(address, grpc.credentials.createInsecure());
  const fetchClientStatus = (client['FetchClientStatus'] as FetchClientStatus).bind(client);
  return {
    nackedResources(): Promise<readonly NackedResource[]> {
      return new Promise((resolve, reject) => {
        fetchClientStatus({}, { deadline: Date.now() + deadlineMs }, (error, response) => {
          if (error || !response) {
            reject(error ?? new Error(`CSDS at ${address} returned no response`));
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
    close: () => client.close(),
  };
}

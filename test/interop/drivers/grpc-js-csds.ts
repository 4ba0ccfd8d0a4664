/**
 * grpc-js's own view of its xDS resources: @grpc/grpc-js-xds registers CSDS
 * as a grpc-js admin service, which is served here on 127.0.0.1 and read like
 * any other client's.
 */
import * as grpc from '@grpc/grpc-js';
import { connectCsds } from './csds-reader.js';
import type { NackedResource } from '../scenarios/traffic-driver.js';

const CSDS_DEADLINE_MS = 5_000;

export interface CsdsReader {
  nackedResources(): Promise<readonly NackedResource[]>;
  close(): Promise<void>;
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
  const reader = connectCsds(`127.0.0.1:${port}`, CSDS_DEADLINE_MS);
  return {
    nackedResources: () => reader.nackedResources(),
    async close(): Promise<void> {
      reader.close();
      admin.forceShutdown();
    },
  };
}

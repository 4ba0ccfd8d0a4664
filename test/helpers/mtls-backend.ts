/**
 * A gRPC backend that accepts only mutual TLS, as a workload in a STRICT
 * mesh does: a grpc-js server on 127.0.0.1 with a workload certificate,
 * requiring a client certificate that chains to the given roots (Node's TLS
 * checks that before any RPC). It answers TestService.UnaryCall with its
 * name in the "hostname" header, as every backend here does, and records
 * the spiffe:// identities of the clients whose RPCs it served, read from
 * the verified peer certificate.
 */
import * as grpc from '@grpc/grpc-js';
import { readFile } from 'node:fs/promises';
import { registerIdentityEcho } from './identity-echo.js';
import { shutdownServer } from './grpc-test-server.js';
import type { CertificateFiles } from './workload-certificates.js';

export interface MtlsBackend {
  readonly name: string;
  readonly port: number;
  /** The URI SANs of each client certificate an RPC arrived with, one entry per RPC. */
  servedIdentities(): readonly string[];
  stop(): Promise<void>;
}

function bindTls(server: grpc.Server, credentials: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', credentials, (error, port) => {
      if (error) reject(error);
      else resolve(port);
    });
  });
}

/** `certs` is the backend's own identity; clients must present a certificate chaining to `clientRootsPem`. */
export async function startMtlsBackend(name: string, certs: CertificateFiles, clientRootsPem: string): Promise<MtlsBackend> {
  const served: string[] = [];
  const server = new grpc.Server();
  // Only reached over a verified client certificate; an RPC without one would be a broken fixture.
  registerIdentityEcho(server, name, served, '(no client certificate)');
  const credentials = grpc.ServerCredentials.createSsl(
    Buffer.from(clientRootsPem),
    [{ cert_chain: await readFile(certs.certChainPath), private_key: await readFile(certs.keyPath) }],
    true, // checkClientCertificate: no certificate from these roots, no connection
  );
  const port = await bindTls(server, credentials);
  return {
    name,
    port,
    servedIdentities: () => [...served],
    stop: () => shutdownServer(server),
  };
}

/**
 * Workload certificates from a running tsiod's CA, got the way istio's agent
 * gets them and laid out the way it writes them for a proxyless gRPC app
 * (OUTPUT_CERTS): a key and CSR made by the openssl CLI, a token from
 * `tsiod token create` (file mode), CreateCertificate on tsiod's 15012 over
 * TLS checked against tsiod's trust bundle, then
 *
 *   <dir>/cert-chain.pem   the chain as the CA returned it, leaf first
 *   <dir>/key.pem          the key (0600)
 *   <dir>/root-cert.pem    the root: the last certificate of the chain
 *
 * which is what the "file_watcher" certificate provider of the agent's gRPC
 * bootstrap points at.
 */
import * as grpc from '@grpc/grpc-js';
import { create } from '@bufbuild/protobuf';
import { X509Certificate } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createLocalToken } from '../../src/cli/token-create.js';
import { certificateServiceDefinition } from '../../src/ca/server/certificate-service-definition.js';
import { IstioCertificateRequestSchema, type IstioCertificateResponse } from '../../src/gen/istio/v1/auth/ca_pb.js';
import { opensslCsr } from '../ca/server/openssl.js';

const CALL_DEADLINE_MS = 10_000;
const VALIDITY_SECONDS = 3600n;

export interface CertificateFiles {
  readonly certChainPath: string;
  readonly keyPath: string;
  readonly rootCertPath: string;
}

export interface IssuedWorkloadCertificate extends CertificateFiles {
  /** The chain, leaf first, parsed by Node (not by tsiod). */
  readonly chain: readonly X509Certificate[];
  readonly rootPem: string;
}

export interface CaEndpoint {
  /** tsiod's 15012 on 127.0.0.1. */
  readonly securePort: number;
  /** The trust bundle to check 15012's serving certificate against. */
  readonly trustBundlePem: string;
  /** The DNS name 15012's certificate carries (istiod.<ns>.svc): the address is an IP. */
  readonly serverName: string;
  /** tsiod's state directory, whose local issuer signs the token. */
  readonly stateDir: string;
}

export function certificateFilesIn(dir: string): CertificateFiles {
  return { certChainPath: path.join(dir, 'cert-chain.pem'), keyPath: path.join(dir, 'key.pem'), rootCertPath: path.join(dir, 'root-cert.pem') };
}

/** Each certificate of a PEM bundle, with the newline a PEM block ends with (strict readers such as BoringSSL's need it between blocks). */
function splitPem(pem: string): string[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((block) => `${block}\n`);
}

function createCertificate(ca: CaEndpoint, csrPem: string, token: string): Promise<IstioCertificateResponse> {
  const Client = grpc.makeGenericClientConstructor(certificateServiceDefinition, 'IstioCertificateService');
  const client = new Client(`127.0.0.1:${ca.securePort}`, grpc.credentials.createSsl(Buffer.from(ca.trustBundlePem)), {
    'grpc.ssl_target_name_override': ca.serverName,
  });
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  const request = create(IstioCertificateRequestSchema, { csr: csrPem, validityDuration: VALIDITY_SECONDS });
  return new Promise<IstioCertificateResponse>((resolve, reject) => {
    const call = client['CreateCertificate'] as (
      r: unknown,
      m: grpc.Metadata,
      o: grpc.CallOptions,
      cb: (error: grpc.ServiceError | null, response?: IstioCertificateResponse) => void,
    ) => void;
    call.call(client, request, metadata, { deadline: Date.now() + CALL_DEADLINE_MS }, (error, response) => {
      client.close();
      if (error || !response) reject(error ?? new Error('CreateCertificate returned no response'));
      else resolve(response);
    });
  });
}

/** A certificate for namespace/serviceAccount from tsiod's CA, written into `dir` as the agent writes it. */
export async function issueWorkloadCertificate(ca: CaEndpoint, namespace: string, serviceAccount: string, dir: string): Promise<IssuedWorkloadCertificate> {
  const token = await createLocalToken({ stateDir: ca.stateDir, namespace, serviceAccount });
  const csr = await opensslCsr();
  const response = await createCertificate(ca, csr.csrPem, token);
  const pems = response.certChain.flatMap(splitPem);
  const rootPem = pems.at(-1);
  if (pems.length < 2 || rootPem === undefined) throw new Error(`CreateCertificate for ${namespace}/${serviceAccount} returned ${pems.length} certificate(s), not a leaf and a root`);
  const files = certificateFilesIn(dir);
  await mkdir(dir, { recursive: true });
  await writeFile(files.certChainPath, pems.join(''));
  await writeFile(files.keyPath, csr.keyPem, { mode: 0o600 });
  await writeFile(files.rootCertPath, rootPem);
  return { ...files, chain: pems.map((pem) => new X509Certificate(pem)), rootPem };
}

/** The spiffe:// URI SANs of a certificate, as Node reads them. */
export function uriSans(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter((san) => san.startsWith('URI:'))
    .map((san) => san.slice('URI:'.length));
}

/**
 * Real TLS for authenticated-port tests: a CA built with tsiod's own CA code
 * (a self-signed root), the 15012 serving credentials it issues (client
 * certificates requested, not required), and client channel credentials
 * with or without a workload certificate of that CA.
 */
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { CertificateAuthority } from '../../../../src/ca/certificate-authority.js';
import { createSelfSignedRoot, type RootKeyAlgorithm } from '../../../../src/ca/self-signed-root.js';
import { createCaServingCredentials, istiodDnsNames, type CaServingCredentials } from '../../../../src/ca/server/serving-credentials.js';

export const TRUST_DOMAIN = 'cluster.local';
/** The name the client checks the server certificate against while dialing 127.0.0.1. */
export const SERVER_NAME = 'istiod.istio-system.svc';

export interface WorkloadIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
}

export interface MeshTls {
  readonly ca: CertificateAuthority;
  readonly serverCredentials: grpc.ServerCredentials;
  readonly channelOptions: grpc.ChannelOptions;
  /** TLS that verifies the server; with `identity`, also presents a client certificate of that identity. */
  clientCredentials(identity?: WorkloadIdentity): Promise<grpc.ChannelCredentials>;
  close(): void;
}

export async function createMeshTls(options: { algorithm?: RootKeyAlgorithm; defaultTtlSeconds?: number } = {}): Promise<MeshTls> {
  const root = await createSelfSignedRoot({ trustDomain: TRUST_DOMAIN, algorithm: options.algorithm ?? 'ECDSA' });
  const ca = await CertificateAuthority.fromKeyMaterial(root, {
    trustDomain: TRUST_DOMAIN,
    ...(options.defaultTtlSeconds !== undefined ? { defaultTtlSeconds: options.defaultTtlSeconds } : {}),
  });
  const serving: CaServingCredentials = await createCaServingCredentials(ca, { dnsNames: istiodDnsNames('istio-system'), logger: pino({ level: 'silent' }) });
  const rootPem = Buffer.from(ca.trustBundlePem().join('\n'));
  return {
    ca,
    serverCredentials: serving.credentials,
    channelOptions: { 'grpc.ssl_target_name_override': SERVER_NAME, 'grpc.default_authority': SERVER_NAME },
    async clientCredentials(identity) {
      if (!identity) return grpc.credentials.createSsl(rootPem);
      const issued = await ca.issueWorkloadCertificate({ trustDomain: TRUST_DOMAIN, ...identity });
      // The peer has the root; send the leaf and any intermediates.
      const chain = issued.certChainPem.slice(0, -1).join('');
      return grpc.credentials.createSsl(rootPem, Buffer.from(issued.privateKeyPem), Buffer.from(chain));
    },
    close: () => serving.close(),
  };
}

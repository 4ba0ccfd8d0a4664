/**
 * A real CA API server for tests: our CertificateAuthority on a self-signed
 * root, the CreateCertificate service on 127.0.0.1 over TLS with a serving
 * certificate from that CA, a pino logger whose every line is kept, and a
 * grpc-js client that talks to it as a workload agent would.
 */
import { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { create, type JsonObject } from '@bufbuild/protobuf';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { Authenticator } from '../../../src/ca/authn/authenticator.js';
import type { CaKeyMaterial } from '../../../src/ca/ca-key-material.js';
import { CertificateAuthority } from '../../../src/ca/certificate-authority.js';
import { createSelfSignedRoot } from '../../../src/ca/self-signed-root.js';
import { addCertificateService } from '../../../src/ca/server/certificate-service.js';
import { certificateServiceDefinition } from '../../../src/ca/server/certificate-service-definition.js';
import { createCaServingCredentials, istiodDnsNames, type CaServingCredentials } from '../../../src/ca/server/serving-credentials.js';
import { IstioCertificateRequestSchema, type IstioCertificateResponse } from '../../../src/gen/istio/v1/auth/ca_pb.js';
import { createCaMetrics } from '../../../src/metrics/ca-metrics.js';
import { shutdownServer } from '../../helpers/grpc-test-server.js';

export const TRUST_DOMAIN = 'cluster.local';
export const SERVER_NAME = 'istiod.istio-system.svc';

export interface CaTestServer {
  readonly ca: CertificateAuthority;
  /** The root's key material, to make a second CA on the same root (e.g. for another trust domain). */
  readonly material: CaKeyMaterial;
  readonly port: number;
  readonly registry: Registry;
  readonly serving: CaServingCredentials;
  /** Every line the server logged, as written (JSON). */
  readonly logLines: string[];
  client(o?: { clientCertificate?: { certPem: string; keyPem: string } }): CaTestClient;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

export interface CreateCertificateCall {
  readonly csr: string;
  readonly validityDuration?: bigint;
  readonly token?: string;
  readonly requestMetadata?: JsonObject;
  /** Raw `authorization` header, instead of "Bearer <token>". */
  readonly authorization?: string;
}

export type CallOutcome = { ok: true; certChain: string[] } | { ok: false; code: grpc.status; details: string };

export interface CaTestClient {
  createCertificate(call: CreateCertificateCall): Promise<CallOutcome>;
  /** Sends these bytes as the request message, bypassing serialization. */
  sendRawRequest(bytes: Buffer, token?: string): Promise<CallOutcome>;
  close(): void;
}

type GenericClient = grpc.Client & {
  CreateCertificate(request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: IstioCertificateResponse) => void): void;
};

const CertificateClient = grpc.makeGenericClientConstructor(certificateServiceDefinition, 'IstioCertificateService');
const RawClient = grpc.makeGenericClientConstructor(
  { CreateCertificate: { ...certificateServiceDefinition.CreateCertificate, requestSerialize: (bytes: Buffer) => bytes } },
  'IstioCertificateServiceRaw',
);

export async function startCaTestServer(makeAuthenticators: (ca: CertificateAuthority) => Authenticator[] | Promise<Authenticator[]>): Promise<CaTestServer> {
  const root = await createSelfSignedRoot({ trustDomain: TRUST_DOMAIN, algorithm: 'ECDSA' });
  const ca = await CertificateAuthority.fromKeyMaterial(root, { trustDomain: TRUST_DOMAIN });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logLines.push(line);
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const registry = new Registry();
  const metrics = createCaMetrics(registry);
  const server = new grpc.Server();
  addCertificateService(server, { ca, authenticators: await makeAuthenticators(ca), metrics, logger });
  const serving = await createCaServingCredentials(ca, { dnsNames: istiodDnsNames('istio-system'), logger });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', serving.credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  const clients: grpc.Client[] = [];

  const channel = (o: { clientCertificate?: { certPem: string; keyPem: string } }): [string, grpc.ChannelCredentials, grpc.ChannelOptions] => {
    const bundle = Buffer.from(ca.trustBundlePem().join('\n'));
    const credentials = o.clientCertificate
      ? grpc.credentials.createSsl(bundle, Buffer.from(o.clientCertificate.keyPem), Buffer.from(o.clientCertificate.certPem))
      : grpc.credentials.createSsl(bundle);
    // The server's certificate names istiod's Services, not 127.0.0.1, as a workload agent sees it.
    return [`127.0.0.1:${port}`, credentials, { 'grpc.ssl_target_name_override': SERVER_NAME, 'grpc.default_authority': SERVER_NAME }];
  };

  const invoke = (client: GenericClient, request: unknown, metadata: grpc.Metadata): Promise<CallOutcome> =>
    new Promise((resolve) => {
      client.CreateCertificate(request, metadata, { deadline: Date.now() + 20_000 }, (error, response) => {
        if (error) resolve({ ok: false, code: error.code, details: error.details });
        else resolve({ ok: true, certChain: [...(response?.certChain ?? [])] });
      });
    });

  const metadataFor = (token?: string, authorization?: string): grpc.Metadata => {
    const metadata = new grpc.Metadata();
    if (authorization !== undefined) metadata.set('authorization', authorization);
    else if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
    return metadata;
  };

  return {
    ca,
    material: root,
    port,
    registry,
    serving,
    logLines,
    client: (o = {}) => {
      const client = new CertificateClient(...channel(o)) as unknown as GenericClient;
      const raw = new RawClient(...channel(o)) as unknown as GenericClient;
      clients.push(client, raw);
      return {
        createCertificate: (call) => {
          const request = create(IstioCertificateRequestSchema, {
            csr: call.csr,
            validityDuration: call.validityDuration ?? 0n,
            ...(call.requestMetadata ? { metadata: call.requestMetadata } : {}),
          });
          return invoke(client, request, metadataFor(call.token, call.authorization));
        },
        sendRawRequest: (bytes, token) => invoke(raw, bytes, metadataFor(token)),
        close: () => {
          client.close();
          raw.close();
        },
      };
    },
    metric: async (name, labels = {}) => {
      const metric = await registry.getSingleMetric(name)?.get();
      return metric?.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))?.value ?? 0;
    },
    close: async () => {
      for (const client of clients) client.close();
      serving.close();
      await shutdownServer(server);
    },
  };
}

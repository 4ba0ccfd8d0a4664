/**
 * A raw ADS client for protocol tests, built on @grpc/proto-loader rather
 * than on tsiod's own wire code, so responses are decoded by a standard
 * decoder. It lets a test send exactly the requests it wants and read
 * responses one at a time.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoIncludeDirs, typeForUrl } from '../../../../src/xds/proto/envoy-protos.js';

interface AnyMsg { type_url: string; value: Buffer }
export interface SotwResponse { version_info: string; resources: AnyMsg[]; type_url: string; nonce: string; control_plane?: { identifier: string } }
export interface DeltaResource { name: string; version: string; resource: AnyMsg }
export interface DeltaResponse { system_version_info: string; resources: DeltaResource[]; type_url: string; removed_resources: string[]; nonce: string }

let adsCtor: grpc.ServiceClientConstructor | undefined;
function adsClientConstructor(): grpc.ServiceClientConstructor {
  if (adsCtor) return adsCtor;
  const def = protoLoader.loadSync('envoy/service/discovery/v3/ads.proto', {
    includeDirs: protoIncludeDirs(), keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    envoy: { service: { discovery: { v3: { AggregatedDiscoveryService: grpc.ServiceClientConstructor } } } };
  };
  adsCtor = pkg.envoy.service.discovery.v3.AggregatedDiscoveryService;
  return adsCtor;
}

let sdsCtor: grpc.ServiceClientConstructor | undefined;
function sdsClientConstructor(): grpc.ServiceClientConstructor {
  if (sdsCtor) return sdsCtor;
  const def = protoLoader.loadSync('envoy/service/secret/v3/sds.proto', {
    includeDirs: protoIncludeDirs(), keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    envoy: { service: { secret: { v3: { SecretDiscoveryService: grpc.ServiceClientConstructor } } } };
  };
  sdsCtor = pkg.envoy.service.secret.v3.SecretDiscoveryService;
  return sdsCtor;
}

/** Struct values are written `{ stringValue }`: proto-loader's Struct wrapper drops `string_value` even with keepCase. */
export const sidecarNode = (id = 'sidecar~127.0.0.1~app-1.default~default.svc.cluster.local') => ({
  id,
  user_agent_name: 'envoy',
  // As pilot-agent: NAMESPACE is the pod's namespace, the one in the id.
  metadata: { fields: { NAMESPACE: { stringValue: id.split('~')[2]?.split('.').pop() ?? 'default' }, ISTIO_VERSION: { stringValue: '1.24.0' } } },
});

/** Decodes an Any with tsiod's type registry and returns the resource's name field. */
export function resourceName(any: AnyMsg): string {
  const msg = typeForUrl(any.type_url).toObject(typeForUrl(any.type_url).decode(any.value)) as { name?: string; clusterName?: string };
  return msg.name ?? msg.clusterName ?? '';
}

class Queue<T> {
  private items: T[] = [];
  private waiters: Array<(v: T) => void> = [];
  closedWith: grpc.ServiceError | undefined;
  private closeWaiters: Array<(e: grpc.ServiceError | undefined) => void> = [];
  push(v: T): void {
    const w = this.waiters.shift();
    if (w) w(v);
    else this.items.push(v);
  }
  close(err: grpc.ServiceError | undefined): void {
    this.closedWith = err;
    for (const w of this.closeWaiters) w(err);
  }
  next(timeoutMs: number): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (v: T): void => {
        clearTimeout(timer);
        resolve(v);
      };
      this.waiters.push(waiter);
    });
  }
  /** Resolves false if nothing arrives within `ms`, true if something did (it stays queued). */
  async quiet(ms: number): Promise<boolean> {
    if (this.items.length > 0) return false;
    await new Promise((r) => setTimeout(r, ms));
    return this.items.length === 0;
  }
  closed(timeoutMs: number): Promise<grpc.ServiceError | undefined> {
    if (this.closedWith !== undefined) return Promise.resolve(this.closedWith);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('stream still open')), timeoutMs);
      this.closeWaiters.push((e) => {
        clearTimeout(timer);
        resolve(e);
      });
    });
  }
}

export class AdsTestStream<Req, Res> {
  readonly responses = new Queue<Res>();
  constructor(private readonly call: grpc.ClientDuplexStream<Req, Res>) {
    call.on('data', (r: Res) => this.responses.push(r));
    call.on('error', (e: grpc.ServiceError) => this.responses.close(e));
    call.on('end', () => this.responses.close(undefined));
  }
  send(req: Req): void {
    this.call.write(req);
  }
  next(timeoutMs = 5_000): Promise<Res> {
    return this.responses.next(timeoutMs);
  }
  /** True when no response arrives within `ms` — for "the server must not send anything" assertions. */
  quiet(ms = 300): Promise<boolean> {
    return this.responses.quiet(ms);
  }
  end(): void {
    this.call.end();
  }
  cancel(): void {
    this.call.cancel();
  }
}

export class AdsTestClient {
  private readonly client: grpc.Client & {
    StreamAggregatedResources(metadata?: grpc.Metadata): grpc.ClientDuplexStream<unknown, SotwResponse>;
    DeltaAggregatedResources(metadata?: grpc.Metadata): grpc.ClientDuplexStream<unknown, DeltaResponse>;
  };
  private secretClient: (grpc.Client & {
    StreamSecrets(metadata?: grpc.Metadata): grpc.ClientDuplexStream<unknown, SotwResponse>;
    DeltaSecrets(metadata?: grpc.Metadata): grpc.ClientDuplexStream<unknown, DeltaResponse>;
  }) | undefined;
  private readonly channelOptions: grpc.ChannelOptions;
  /** `credentials`: TLS for an authenticated port (plaintext by default); `channelOptions` e.g. a TLS name override. */
  constructor(readonly port: number, private readonly credentials = grpc.credentials.createInsecure(), channelOptions: grpc.ChannelOptions = {}) {
    const Ctor = adsClientConstructor();
    this.channelOptions = { 'grpc.max_receive_message_length': -1, ...channelOptions };
    this.client = new Ctor(`127.0.0.1:${port}`, credentials, this.channelOptions) as never;
  }
  /** Streams of envoy.service.secret.v3.SecretDiscoveryService (StreamSecrets / DeltaSecrets). */
  secrets(metadata?: grpc.Metadata): AdsTestStream<Record<string, unknown>, SotwResponse> {
    this.secretClient ??= new (sdsClientConstructor())(`127.0.0.1:${this.port}`, this.credentials, this.channelOptions) as never;
    return new AdsTestStream(this.secretClient!.StreamSecrets(metadata ?? new grpc.Metadata()));
  }
  deltaSecrets(metadata?: grpc.Metadata): AdsTestStream<Record<string, unknown>, DeltaResponse> {
    this.secretClient ??= new (sdsClientConstructor())(`127.0.0.1:${this.port}`, this.credentials, this.channelOptions) as never;
    return new AdsTestStream(this.secretClient!.DeltaSecrets(metadata ?? new grpc.Metadata()));
  }
  /** `metadata`: request headers, e.g. "authorization: Bearer ...". */
  sotw(metadata?: grpc.Metadata): AdsTestStream<Record<string, unknown>, SotwResponse> {
    return new AdsTestStream(this.client.StreamAggregatedResources(metadata ?? new grpc.Metadata()));
  }
  delta(metadata?: grpc.Metadata): AdsTestStream<Record<string, unknown>, DeltaResponse> {
    return new AdsTestStream(this.client.DeltaAggregatedResources(metadata ?? new grpc.Metadata()));
  }
  /** A stream on which the test writes raw bytes, bypassing any encoder. */
  rawStream(): AdsTestStream<Buffer, Buffer> {
    const id = (b: Buffer): Buffer => b;
    return new AdsTestStream(this.client.makeBidiStreamRequest('/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources', id, id));
  }
  close(): void {
    this.client.close();
    this.secretClient?.close();
  }
}

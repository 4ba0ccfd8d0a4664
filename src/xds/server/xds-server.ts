/**
 * The ADS gRPC server: accepts SotW and Delta streams, keeps the set of
 * connected proxies, and fans a push out to them a batch at a time so that
 * incoming ACKs and new connections are still served during a large push.
 */
import type { VerifiedIdentity } from '../../model/proxy.js';
import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { MeshSnapshot } from '../../model/types.js';
import type { PushRequest } from '../../push/push-request.js';
import { GenerationCache } from '../cache/generation-cache.js';
import type { ResourceGenerator } from '../gen/generator.js';
import type { XdsTypeUrl } from '../proto/type-urls.js';
import { ProtocolViolation, type ConnectionContext, type ConnectionSyncState, type XdsConnection } from './connection.js';
import { DeltaConnection } from './delta-connection.js';
import { SotwConnection } from './sotw-connection.js';
import { NameInterner, SubscriptionInterner } from './name-interner.js';
import { silentObserver, type XdsServerObserver } from './observer.js';
import { adsServiceDefinition, encodeControlPlane, type DeltaCall, type SotwCall } from './wire.js';

export interface XdsServerOptions {
  readonly generators: ReadonlyMap<XdsTypeUrl, ResourceGenerator>;
  readonly logger: Logger;
  readonly observer?: XdsServerObserver;
  readonly domainSuffix?: string;
  /** Connections pushed to before yielding to the event loop. */
  readonly pushBatchSize?: number;
  /** gRPC server options (keepalive, max message sizes). */
  readonly grpcOptions?: grpc.ServerOptions;
  /**
   * Authenticates a stream when it opens (e.g. from its verified client
   * certificate). Without it every stream is unauthenticated: it gets
   * config but never secrets, as on istiod's plaintext port.
   */
  readonly authenticate?: (call: grpc.ServerDuplexStream<unknown, unknown>) => VerifiedIdentity | undefined;
}

export class XdsServer {
  private readonly grpcServer: grpc.Server;
  private readonly cache: GenerationCache;
  private readonly connections = new Set<XdsConnection>();
  private readonly observer: XdsServerObserver;
  private readonly instanceId = randomBytes(4).toString('hex');
  private connectionCounter = 0;
  private readonly sotwControlPlane: Uint8Array;
  private readonly deltaControlPlane: Uint8Array;
  private pushChain: Promise<void> = Promise.resolve();
  private readonly names = new NameInterner();
  private readonly subscriptions = new SubscriptionInterner();

  constructor(private readonly options: XdsServerOptions) {
    this.observer = options.observer ?? silentObserver;
    this.cache = new GenerationCache(options.generators, {
      onError: (typeUrl, key, error) => {
        this.observer.internalError(typeUrl, key, error);
        options.logger.error({ typeUrl, key, err: error }, 'cannot generate resource; its last good version (if any) is served');
      },
      onInvalidResource: (typeUrl, key, name, violations, served) => {
        this.observer.invalidResource(typeUrl, name, violations, served);
        options.logger.error(
          { typeUrl, key, resource: name, violations, served },
          served === 'last-good'
            ? 'generated resource breaks Envoy validation rules; its last good version is served instead'
            : 'generated resource breaks Envoy validation rules; it is left out',
        );
      },
    });
    const identifier = JSON.stringify({ Component: 'tsiod', ID: this.instanceId });
    this.sotwControlPlane = encodeControlPlane(6, identifier);
    this.deltaControlPlane = encodeControlPlane(7, identifier);
    this.grpcServer = new grpc.Server({
      // Envoy sends large DiscoveryRequests on reconnect (every EDS name); 64 MiB is generous.
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.max_send_message_length': -1,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      ...options.grpcOptions,
    });
    this.grpcServer.addService(adsServiceDefinition as unknown as grpc.ServiceDefinition, {
      StreamAggregatedResources: (call: SotwCall) => this.acceptSotw(call),
      DeltaAggregatedResources: (call: DeltaCall) => this.acceptDelta(call),
    });
  }

  /** Binds to host:port (port 0 picks one) and returns the port. */
  listen(host: string, port: number, credentials = grpc.ServerCredentials.createInsecure()): Promise<number> {
    return new Promise((resolve, reject) => {
      const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
      this.grpcServer.bindAsync(address, credentials, (err, boundPort) => (err ? reject(err) : resolve(boundPort)));
    });
  }

  /**
   * Moves to `snapshot` and sends every connected proxy what `request` changed.
   * Pushes run one after another; the returned promise settles when this one
   * has reached every connection's stream.
   */
  push(snapshot: MeshSnapshot, request: PushRequest): Promise<void> {
    const run = async (): Promise<void> => {
      const started = process.hrtime.bigint();
      this.cache.update(snapshot, request);
      // A scoped push reaches only proxies in its namespaces; the rest cannot see the change.
      const targets = request.namespaces ? [...this.connections].filter((c) => c.inNamespaces(request.namespaces!)) : [...this.connections];
      const batch = this.options.pushBatchSize ?? 100;
      const pending: Array<Promise<void>> = [];
      for (let i = 0; i < targets.length; i += batch) {
        for (const conn of targets.slice(i, i + batch)) pending.push(conn.enqueuePush(request));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await Promise.all(pending);
      this.observer.pushCompleted(request.full, Number(process.hrtime.bigint() - started) / 1e9, targets.length);
    };
    this.pushChain = this.pushChain.then(run, run);
    return this.pushChain;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  syncStatus(): ConnectionSyncState[] {
    return [...this.connections].map((c) => c.syncState());
  }

  async close(): Promise<void> {
    for (const c of [...this.connections]) c.close();
    await new Promise<void>((resolve) => this.grpcServer.tryShutdown(() => resolve()));
  }

  private context(): ConnectionContext {
    return {
      cache: this.cache,
      observer: this.observer,
      logger: this.options.logger,
      domainSuffix: this.options.domainSuffix ?? 'cluster.local',
      names: this.names,
      subscriptions: this.subscriptions,
      register: (c) => this.connections.add(c),
      unregister: (c) => this.connections.delete(c),
    };
  }

  private nextConnectionId(): string {
    this.connectionCounter++;
    return `${this.instanceId}-${this.connectionCounter}`;
  }

  private acceptSotw(call: SotwCall): void {
    const conn = new SotwConnection(this.nextConnectionId(), call, this.context(), this.sotwControlPlane, this.options.authenticate?.(call as never));
    this.wire(call, conn, (req) => conn.handleRequest(req));
  }

  private acceptDelta(call: DeltaCall): void {
    const conn = new DeltaConnection(this.nextConnectionId(), call, this.context(), this.deltaControlPlane, this.options.authenticate?.(call as never));
    this.wire(call, conn, (req) => conn.handleRequest(req));
  }

  /** A client that breaks the protocol, or sends bytes we cannot decode, loses its stream; nobody else notices. */
  private wire<Req>(call: grpc.ServerDuplexStream<Req, Buffer>, conn: XdsConnection, handle: (req: Req) => void): void {
    call.on('data', (req: Req) => {
      if (conn.isClosed) return;
      if (!this.cache.currentSnapshot) {
        conn.close(new ProtocolViolation('tsiod has no configuration yet; retry'));
        return;
      }
      try {
        handle(req);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        this.observer.streamRejected(reason, conn.proxy?.id);
        this.options.logger.warn({ conn: conn.id, proxy: conn.proxy?.id, err: reason }, 'closing xDS stream');
        conn.close(err instanceof ProtocolViolation ? err : new Error(`internal error: ${reason}`));
      }
    });
    call.on('end', () => conn.close());
    call.on('error', () => conn.close());
    call.on('cancelled', () => conn.close());
  }
}

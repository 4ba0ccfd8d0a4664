/**
 * The ADS gRPC server: accepts SotW and Delta streams, keeps the set of
 * connected proxies, and fans a push out to them a batch at a time so that
 * incoming ACKs and new connections are still served during a large push.
 *
 * One XdsServer serves two kinds of port. A plaintext port (istiod's 15010)
 * never authenticates: its streams get config but no secrets. An
 * authenticated port (15012) is TLS and authenticates every stream before
 * handling any of its requests; there the SecretDiscoveryService is served
 * too. The kind is chosen per port, not read from the connection: grpc-js
 * reports a TLS transport only when the client presented a verified
 * certificate, so a TLS stream that authenticates with a bearer token would
 * be indistinguishable from plaintext.
 */
import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { MeshSnapshot } from '../../model/types.js';
import { secretPush, type PushRequest, type SecretChange } from '../../push/push-request.js';
import { GenerationCache } from '../cache/generation-cache.js';
import type { ResourceGenerator } from '../gen/generator.js';
import { SecretType, type XdsTypeUrl } from '../proto/type-urls.js';
import type { ConnectionContext, ConnectionOptions, ConnectionSyncState, XdsConnection } from './connection.js';
import { DeltaConnection } from './delta-connection.js';
import { SotwConnection } from './sotw-connection.js';
import { NameInterner, SubscriptionInterner } from './name-interner.js';
import { silentObserver, type XdsServerObserver } from './observer.js';
import { authenticateStream, type IdentityStreams, type XdsAuthenticator } from './stream-authentication.js';
import { StreamUnavailable } from './stream-errors.js';
import { SendBudget } from './send-budget.js';
import { RequestScheduler } from './request-scheduler.js';
import { listenGrpc, type GrpcListener } from './grpc-listener.js';
import { adsServiceDefinition, encodeControlPlane, secretServiceDefinition, type DeltaCall, type DeltaRequest, type SotwCall, type SotwRequest } from './wire.js';

/** Whether a port authenticates its streams. */
export type PortAuthentication = 'none' | 'required';

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
   * Authenticates each stream of an authenticated port when it opens (a
   * bearer token, a verified client certificate). Its requests wait for the
   * outcome; a rejection ends the stream with UNAUTHENTICATED. Required for
   * listenAuthenticated(); plaintext ports never call it.
   */
  readonly authenticate?: XdsAuthenticator;
  /** Told when streams of an identity open and close (the workload-certificate cache). */
  readonly identityStreams?: IdentityStreams;
  /**
   * Response bytes that may be on their way to clients at once, across all
   * streams (default 32 MiB); the rest wait, unencoded, in each stream's
   * queue. See send-budget.ts.
   */
  readonly sendBudgetBytes?: number;
  /** After this long unread, a response stops counting against the budget (default 10 s). */
  readonly sendStallMs?: number;
}

const DEFAULT_SEND_BUDGET_BYTES = 32 * 1024 * 1024;
const DEFAULT_SEND_STALL_MS = 10_000;

export class XdsServer {
  private readonly grpcServer: grpc.Server;
  /** The authenticated port's server, once listenAuthenticated() has made it. */
  private authenticatedServer: grpc.Server | undefined;
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
  private readonly sendBudget: SendBudget;
  /** Every stream's requests, handled in arrival order in short slices (see request-scheduler.ts). */
  private readonly requests: RequestScheduler;
  private readonly listeners: GrpcListener[] = [];

  constructor(private readonly options: XdsServerOptions) {
    this.observer = options.observer ?? silentObserver;
    this.sendBudget = new SendBudget({
      limitBytes: options.sendBudgetBytes ?? DEFAULT_SEND_BUDGET_BYTES,
      stallMs: options.sendStallMs ?? DEFAULT_SEND_STALL_MS,
      onStall: (bytes) => this.observer.sendStalled(bytes),
    });
    this.requests = new RequestScheduler({
      onUnexpectedError: (err) => options.logger.error({ err }, 'xDS request handler failed outside its stream; other streams are unaffected'),
    });
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
    this.grpcServer = this.createGrpcServer();
    this.addXdsServices(this.grpcServer, 'none');
  }

  /**
   * Binds a plaintext-port listener to host:port (port 0 picks one) and
   * returns the port. Its streams are never authenticated and never get
   * secrets, whatever `credentials` are.
   */
  listen(host: string, port: number, credentials = grpc.ServerCredentials.createInsecure()): Promise<number> {
    return this.bind(this.grpcServer, host, port, credentials);
  }

  /**
   * Binds the authenticated port: TLS only (tokens and private keys never
   * cross in clear), every stream authenticated by `options.authenticate`,
   * ADS and the SecretDiscoveryService both served. `alsoServe` adds other
   * services to the same port before it binds (istiod serves its CA API on
   * 15012 beside xDS). Returns the bound port.
   */
  listenAuthenticated(host: string, port: number, credentials: grpc.ServerCredentials, alsoServe?: (server: grpc.Server) => void): Promise<number> {
    if (!this.options.authenticate) throw new Error('an authenticated xDS port needs XdsServerOptions.authenticate');
    if (!credentials._isSecure()) throw new Error(`the authenticated xDS port ${host}:${port} must be TLS: bearer tokens and private keys would otherwise cross the network in clear`);
    if (this.authenticatedServer) throw new Error('the authenticated xDS port is already listening');
    const server = this.createGrpcServer();
    this.addXdsServices(server, 'required');
    alsoServe?.(server);
    this.authenticatedServer = server;
    return this.bind(server, host, port, credentials);
  }

  /**
   * Moves to `snapshot` and sends every connected proxy what `request` changed.
   * Pushes run one after another; the returned promise settles when this one
   * has reached every connection's stream.
   */
  push(snapshot: MeshSnapshot, request: PushRequest): Promise<void> {
    return this.enqueuePush(() => snapshot, request);
  }

  /**
   * Sends changed secrets (outside the snapshot) to the streams of their
   * identities only, on the snapshot current when the push runs: a config
   * push queued before it is never undone.
   */
  pushSecrets(change: SecretChange): Promise<void> {
    return this.enqueuePush(() => this.cache.currentSnapshot, secretPush(change));
  }

  private enqueuePush(snapshotOf: () => MeshSnapshot | undefined, request: PushRequest): Promise<void> {
    const run = async (): Promise<void> => {
      const snapshot = snapshotOf();
      if (!snapshot) return;
      const started = process.hrtime.bigint();
      this.cache.update(snapshot, request);
      // A scoped push reaches only proxies that can see the change: its namespaces, or its secrets' identities.
      const targets = [...this.connections].filter((c) => c.reachedBy(request));
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
    // Stop accepting first; the listeners finish closing once grpc-js has closed the sessions on their sockets.
    const listenersClosed = Promise.all(this.listeners.splice(0).map((l) => l.close()));
    for (const c of [...this.connections]) c.close();
    const servers = [this.grpcServer, ...(this.authenticatedServer ? [this.authenticatedServer] : [])];
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.tryShutdown(() => resolve()))));
    await listenersClosed;
  }

  private async bind(server: grpc.Server, host: string, port: number, credentials: grpc.ServerCredentials): Promise<number> {
    const listener = await listenGrpc(server, host, port, credentials);
    this.listeners.push(listener);
    return listener.port;
  }

  private createGrpcServer(): grpc.Server {
    return new grpc.Server({
      // Envoy sends large DiscoveryRequests on reconnect (every EDS name); 64 MiB is generous.
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.max_send_message_length': -1,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      ...this.options.grpcOptions,
    });
  }

  private addXdsServices(server: grpc.Server, authentication: PortAuthentication): void {
    server.addService(adsServiceDefinition as unknown as grpc.ServiceDefinition, {
      StreamAggregatedResources: (call: SotwCall) => this.acceptSotw(call, authentication),
      DeltaAggregatedResources: (call: DeltaCall) => this.acceptDelta(call, authentication),
    });
    // Secrets exist only for authenticated streams: the plaintext port has no SDS service to ask.
    if (authentication === 'required') {
      server.addService(secretServiceDefinition as unknown as grpc.ServiceDefinition, {
        StreamSecrets: (call: SotwCall) => this.acceptSotw(call, authentication, SECRETS_ONLY),
        DeltaSecrets: (call: DeltaCall) => this.acceptDelta(call, authentication, SECRETS_ONLY),
      });
    }
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
      sendBudget: this.sendBudget,
      ...(this.options.identityStreams ? { identityStreams: this.options.identityStreams } : {}),
    };
  }

  private nextConnectionId(): string {
    this.connectionCounter++;
    return `${this.instanceId}-${this.connectionCounter}`;
  }

  private acceptSotw(call: SotwCall, authentication: PortAuthentication, options: ConnectionOptions = {}): void {
    const conn = new SotwConnection(this.nextConnectionId(), call, this.context(), this.sotwControlPlane, options);
    const handle = options.onlyType ? (req: SotwRequest) => conn.handleRequest(req.typeUrl ? req : { ...req, typeUrl: options.onlyType! }) : (req: SotwRequest) => conn.handleRequest(req);
    this.wire(call, conn, handle, authentication);
  }

  private acceptDelta(call: DeltaCall, authentication: PortAuthentication, options: ConnectionOptions = {}): void {
    const conn = new DeltaConnection(this.nextConnectionId(), call, this.context(), this.deltaControlPlane, options);
    const handle = options.onlyType ? (req: DeltaRequest) => conn.handleRequest(req.typeUrl ? req : { ...req, typeUrl: options.onlyType! }) : (req: DeltaRequest) => conn.handleRequest(req);
    this.wire(call, conn, handle, authentication);
  }

  /**
   * A client that breaks the protocol, sends bytes we cannot decode, or fails
   * authentication loses its stream; nobody else notices. On an authenticated
   * port the stream is paused until authentication settles: its requests wait
   * in order in the stream's own buffer (bounded by HTTP/2 flow control) and
   * are handled once the identity is known.
   */
  private wire<Req>(call: grpc.ServerDuplexStream<Req, Buffer>, conn: XdsConnection, handle: (req: Req) => void, authentication: PortAuthentication): void {
    const refuse = (err: unknown): void => {
      const reason = err instanceof Error ? err.message : String(err);
      this.observer.streamRejected(reason, conn.proxy?.id);
      this.options.logger.warn({ conn: conn.id, proxy: conn.proxy?.id, peer: call.getPeer(), err: reason }, 'closing xDS stream');
      conn.close(err);
    };
    call.on('data', (req: Req) => this.requests.run(call, () => {
      if (conn.isClosed) return;
      if (!this.cache.currentSnapshot) {
        conn.close(new StreamUnavailable('tsiod has no configuration yet; retry'));
        return;
      }
      try {
        handle(req);
      } catch (err) {
        refuse(err);
      }
    }));
    call.on('end', () => conn.close());
    call.on('error', () => conn.close());
    call.on('cancelled', () => conn.close());
    if (authentication === 'none') return;
    call.pause();
    authenticateStream(this.options.authenticate!, call).then(
      (identity) => {
        if (conn.isClosed) return;
        conn.authenticated(identity);
        this.options.logger.debug({ conn: conn.id, peer: call.getPeer(), namespace: identity.namespace, serviceAccount: identity.serviceAccount }, 'xDS stream authenticated');
        call.resume();
      },
      (err: unknown) => {
        if (!conn.isClosed) refuse(err);
      },
    );
  }
}


const SECRETS_ONLY: ConnectionOptions = { onlyType: SecretType };

/**
 * What SotW and Delta streams share: the proxy behind the stream, its
 * subscriptions, nonces, a push queue holding at most one pending push, and
 * an outbound queue that writes responses in order within the server's send
 * budget.
 */
import type { Logger } from 'pino';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { parseProxyNode, type ProxyNode, type VerifiedIdentity, type XdsNode } from '../../model/proxy.js';
import { identityKey, isSecretsOnly, mergePushRequests, type PushRequest } from '../../push/push-request.js';
import type { GenerationCache } from '../cache/generation-cache.js';
import type { EncodedResource } from '../cache/encoded-resource.js';
import { isKnownType, type XdsTypeUrl } from '../proto/type-urls.js';
import type { ErrorDetail } from './xds-requests.js';
import { WatchedType } from './watched-type.js';
import type { NameInterner, SubscriptionInterner } from './name-interner.js';
import type { StreamProtocol, XdsServerObserver } from './observer.js';
import { checkConnectionIdentity, type IdentityStreams } from './stream-authentication.js';
import { ProtocolViolation, statusCodeOf, StreamError } from './stream-errors.js';
import { OutboundQueue, type OutboundResponse } from './outbound-queue.js';
import type { SendBudget } from './send-budget.js';

export { ProtocolViolation };

export interface ConnectionContext {
  readonly cache: GenerationCache;
  readonly observer: XdsServerObserver;
  readonly logger: Logger;
  readonly domainSuffix: string;
  /** Shares one copy of each subscribed name across all streams. */
  readonly names: NameInterner;
  readonly subscriptions: SubscriptionInterner;
  /** Called once the first request has identified the proxy. */
  register(connection: XdsConnection): void;
  unregister(connection: XdsConnection): void;
  readonly identityStreams?: IdentityStreams;
  /** Shared by every stream of the server: bounds the response bytes in flight. */
  readonly sendBudget: SendBudget;
}

export interface ConnectionOptions {
  /** Serve only this type (a SecretDiscoveryService stream); requests for others are ignored. */
  readonly onlyType?: XdsTypeUrl;
}

export abstract class XdsConnection {
  abstract readonly protocol: StreamProtocol;
  proxy: ProxyNode | undefined;
  readonly watched = new Map<string, WatchedType>();
  readonly connectedAt = new Date();
  private nonceCounter = 0;
  private pushRunning = false;
  private pendingPush: PushRequest | undefined;
  private closed = false;
  private readonly outbound: OutboundQueue;
  /** Set by the port's authentication before any request is handled; undefined on plaintext streams. */
  private verifiedIdentity: VerifiedIdentity | undefined;

  constructor(
    readonly id: string,
    protected readonly call: ServerDuplexStream<unknown, Buffer>,
    protected readonly ctx: ConnectionContext,
    private readonly options: ConnectionOptions = {},
  ) {
    this.outbound = new OutboundQueue(
      ctx.sendBudget,
      (bytes, written) => {
        call.write(bytes, written);
      },
      (err) => this.close(err),
    );
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Records who the stream proved to be; only before its first request, which must then name a matching node. */
  authenticated(identity: VerifiedIdentity): void {
    if (this.proxy) throw new Error('internal error: a stream authenticated after its first request');
    this.verifiedIdentity = identity;
  }

  /** The first request must carry the node; later ones may omit it (and changes to it are ignored). */
  protected identify(node: XdsNode | undefined): ProxyNode {
    if (this.proxy) return this.proxy;
    let parsed: ProxyNode;
    try {
      parsed = parseProxyNode(node, this.ctx.domainSuffix);
    } catch (err) {
      throw new ProtocolViolation(err instanceof Error ? err.message : String(err));
    }
    const identity = this.verifiedIdentity;
    if (identity) checkConnectionIdentity(parsed, identity);
    this.proxy = identity ? Object.freeze({ ...parsed, verifiedIdentity: identity }) : parsed;
    this.ctx.register(this);
    if (identity) this.ctx.identityStreams?.opened(identity);
    this.ctx.observer.connected(this.proxy, this.protocol);
    this.ctx.logger.info(
      { conn: this.id, proxy: this.proxy.id, type: this.proxy.type, protocol: this.protocol, ...(identity ? { identity: `${identity.namespace}/${identity.serviceAccount}` } : {}) },
      'proxy connected',
    );
    return this.proxy;
  }

  /** The watch a request is about, or undefined for a type tsiod does not serve (the request is then ignored). */
  protected watchForRequest(typeUrl: string): WatchedType | undefined {
    if (!isKnownType(typeUrl) || !this.ctx.cache.supports(typeUrl) || (this.options.onlyType !== undefined && typeUrl !== this.options.onlyType)) {
      this.ctx.logger.debug({ conn: this.id, typeUrl }, 'request for a type this stream does not serve');
      return undefined;
    }
    return this.watchedFor(typeUrl);
  }

  /**
   * What a request's response_nonce says about the last response of its
   * type: nothing (no nonce: a first request), stale (not the latest nonce),
   * or an ACK or NACK, which is recorded. A NACKing client keeps running on
   * its last good config; nothing is resent until something changes.
   */
  protected recordResponseOutcome(w: WatchedType, nonce: string, errorDetail: ErrorDetail | undefined, ackedVersion: string): 'none' | 'stale' | 'ack' | 'nack' {
    if (nonce === '') return 'none';
    const proxy = this.proxy!;
    if (nonce !== w.lastNonce) {
      this.ctx.observer.staleNonce(proxy, w.typeUrl);
      return 'stale';
    }
    if (errorDetail) {
      w.lastNack = { ...errorDetail, nonce, at: new Date() };
      this.ctx.observer.nacked(proxy, w.typeUrl, errorDetail);
      this.ctx.logger.warn({ conn: this.id, proxy: proxy.id, typeUrl: w.typeUrl, error: errorDetail.message }, 'proxy rejected config (NACK); it keeps the last good version');
      return 'nack';
    }
    w.ackedVersion = ackedVersion;
    w.lastNack = undefined;
    this.ctx.observer.acked(proxy, w.typeUrl, ackedVersion);
    return 'ack';
  }

  protected watchedFor(typeUrl: string): WatchedType {
    let w = this.watched.get(typeUrl);
    if (!w) {
      w = new WatchedType(typeUrl);
      this.watched.set(typeUrl, w);
    }
    return w;
  }

  protected nextNonce(): string {
    this.nonceCounter++;
    return `${this.id}-${this.nonceCounter.toString(36)}`;
  }

  /** The resources this stream is subscribed to right now, by name. */
  protected subscribedResources(typeUrl: XdsTypeUrl, w: WatchedType): ReadonlyMap<string, EncodedResource> {
    const proxy = this.proxy!;
    if (!w.wildcard) return this.ctx.cache.named(typeUrl, proxy, w.names);
    const all = this.ctx.cache.wildcard(typeUrl, proxy);
    // Names asked for beside the wildcard may exist outside the wildcard set (on-demand resources).
    const extra = [...w.names].filter((name) => !all.has(name));
    if (extra.length === 0) return all;
    const merged = new Map(all);
    for (const [name, r] of this.ctx.cache.named(typeUrl, proxy, extra)) merged.set(name, r);
    return merged;
  }

  /** After a push: lets each pushed type hold the shared resource map again instead of its own copy. */
  protected reshareHeld(typeUrls: Iterable<XdsTypeUrl>): void {
    for (const typeUrl of typeUrls) {
      const w = this.watched.get(typeUrl);
      if (w) w.sent.reshare(this.subscribedResources(typeUrl, w));
    }
  }

  /** Names that a push must look at for this type: all subscribed, or (endpoint or secret push) just those it changed. */
  protected pushCandidates(typeUrl: XdsTypeUrl, w: WatchedType, request: PushRequest): ReadonlyMap<string, EncodedResource> | undefined {
    const changes = this.ctx.cache.endpointChangesFor(typeUrl, this.proxy!, request);
    if (changes === 'none') return undefined;
    if (changes === 'all') return this.subscribedResources(typeUrl, w);
    const names: string[] = [];
    for (const name of changes) if (w.wildcard || w.names.has(name)) names.push(name);
    if (names.length === 0) return undefined;
    return this.ctx.cache.named(typeUrl, this.proxy!, names);
  }

  /** `response`, reporting its size to the observer when it is encoded (that is, sent). */
  protected reported(typeUrl: string, response: OutboundResponse, resources: number, removed: number): OutboundResponse {
    return {
      size: response.size,
      encode: () => {
        const bytes = response.encode();
        this.ctx.observer.responseSent(typeUrl, bytes.length, resources, removed);
        return bytes;
      },
    };
  }

  /** Queues a response to a request; requests are answered in the order they came. */
  protected send(response: OutboundResponse): void {
    void this.outbound.enqueue(response);
  }

  /**
   * Queues a pushed response and waits until it has been handed to gRPC: a
   * push reaches streams as fast as the send budget lets responses out, and
   * a stream whose client reads slowly holds back only its own next push.
   */
  protected sendPaced(response: OutboundResponse): Promise<void> {
    return this.outbound.enqueue(response);
  }

  /**
   * Whether a push reaches this stream: a secret change reaches the streams
   * authenticated as its identities (all authenticated ones for the trust
   * bundle) and no others; anything else reaches every proxy, or the proxies
   * of its namespaces when scoped.
   */
  reachedBy(request: PushRequest): boolean {
    const proxy = this.proxy;
    if (!proxy) return false;
    const identity = this.verifiedIdentity;
    const secrets = request.secrets;
    if (secrets && identity && (secrets.trustBundle || secrets.identities.has(identityKey(identity.namespace, identity.serviceAccount)))) return true;
    if (isSecretsOnly(request)) return false;
    return !request.namespaces || request.namespaces.has(proxy.namespace);
  }

  /** Queues a push; while one runs, later ones merge into a single pending push. */
  enqueuePush(request: PushRequest): Promise<void> {
    if (this.closed || !this.proxy) return Promise.resolve();
    if (this.pushRunning) {
      this.pendingPush = this.pendingPush ? mergePushRequests(this.pendingPush, request) : request;
      return Promise.resolve();
    }
    return this.runPushes(request);
  }

  private async runPushes(first: PushRequest): Promise<void> {
    this.pushRunning = true;
    let request: PushRequest | undefined = first;
    try {
      while (request && !this.closed) {
        await this.push(request);
        request = this.pendingPush;
        this.pendingPush = undefined;
      }
    } catch (err) {
      this.ctx.logger.error({ conn: this.id, err }, 'push failed; closing stream');
      this.close(err);
    } finally {
      this.pushRunning = false;
    }
  }

  protected abstract push(request: PushRequest): Promise<void>;

  /** Ends the stream: with an error status when `err` is given, cleanly otherwise. */
  close(err?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.outbound.close();
    if (this.proxy) {
      this.ctx.unregister(this);
      this.ctx.observer.disconnected(this.proxy, this.protocol);
      this.ctx.logger.info({ conn: this.id, proxy: this.proxy.id }, 'proxy disconnected');
      const identity = this.proxy.verifiedIdentity;
      if (identity) {
        try {
          this.ctx.identityStreams?.closed(identity);
        } catch (e) {
          this.ctx.logger.error({ conn: this.id, err: e instanceof Error ? e.message : String(e) }, 'identity tracker failed on stream close');
        }
      }
    }
    if (err !== undefined) {
      // Only errors tsiod made for the client carry their message out; anything else is an internal error.
      const message = err instanceof Error ? err.message : String(err);
      this.call.emit('error', { code: statusCodeOf(err), details: err instanceof StreamError ? message : `internal error: ${message}` });
    } else {
      this.call.end();
    }
  }

  /** Per-type sync state, for debug endpoints and tests. */
  syncState(): ConnectionSyncState {
    return {
      id: this.id,
      proxyId: this.proxy?.id ?? '',
      protocol: this.protocol,
      connectedAt: this.connectedAt.toISOString(),
      types: [...this.watched.values()].map((w) => ({
        typeUrl: w.typeUrl,
        wildcard: w.wildcard,
        subscribed: [...w.names].sort(),
        resourcesSent: w.sent.size,
        lastNonce: w.lastNonce,
        lastVersionSent: w.lastVersionSent,
        ackedVersion: w.ackedVersion,
        lastNack: w.lastNack ? { message: w.lastNack.message, code: w.lastNack.code, nonce: w.lastNack.nonce, at: w.lastNack.at.toISOString() } : undefined,
      })),
    };
  }
}

export interface ConnectionSyncState {
  readonly id: string;
  readonly proxyId: string;
  readonly protocol: StreamProtocol;
  readonly connectedAt: string;
  readonly types: ReadonlyArray<{
    readonly typeUrl: string;
    readonly wildcard: boolean;
    readonly subscribed: readonly string[];
    readonly resourcesSent: number;
    readonly lastNonce: string;
    readonly lastVersionSent: string;
    readonly ackedVersion: string;
    readonly lastNack?: { readonly message: string; readonly code: number; readonly nonce: string; readonly at: string };
  }>;
}

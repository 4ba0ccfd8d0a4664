/**
 * State-of-the-world ADS: every response for a type carries a version and a
 * nonce; LDS and CDS responses are always the complete set (absence means
 * deletion), RDS and EDS responses carry only what changed or was newly asked
 * for. A request whose nonce is not the latest one sent is stale and ignored:
 * the client will repeat its subscription when it acknowledges the latest.
 */
import { isKnownType, isRootType, PUSH_ORDER, type XdsTypeUrl } from '../proto/type-urls.js';
import type { PushRequest } from '../../push/push-request.js';
import type { EncodedResource } from '../cache/encoded-resource.js';
import { setVersion } from '../cache/set-version.js';
import { XdsConnection, type ConnectionContext } from './connection.js';
import { encodeSotwResponse, type SotwCall, type SotwRequest } from './wire.js';
import type { WatchedType } from './watched-type.js';

export class SotwConnection extends XdsConnection {
  readonly protocol = 'sotw' as const;

  constructor(id: string, call: SotwCall, ctx: ConnectionContext, private readonly controlPlane: Uint8Array) {
    super(id, call as never, ctx);
  }

  handleRequest(req: SotwRequest): void {
    const proxy = this.identify(req.node);
    if (!isKnownType(req.typeUrl) || !this.ctx.cache.supports(req.typeUrl)) {
      this.ctx.logger.debug({ conn: this.id, typeUrl: req.typeUrl }, 'request for a type tsiod does not serve');
      return;
    }
    const typeUrl = req.typeUrl;
    const w = this.watchedFor(typeUrl);
    if (req.responseNonce !== '') {
      if (req.responseNonce !== w.lastNonce) {
        this.ctx.observer.staleNonce(proxy, typeUrl);
        return;
      }
      if (req.errorDetail) {
        w.lastNack = { ...req.errorDetail, nonce: req.responseNonce, at: new Date() };
        this.ctx.observer.nacked(proxy, typeUrl, req.errorDetail);
        this.ctx.logger.warn({ conn: this.id, proxy: proxy.id, typeUrl, error: req.errorDetail.message }, 'proxy rejected config (NACK); it keeps the last good version');
      } else {
        w.ackedVersion = req.versionInfo;
        w.lastNack = undefined;
        this.ctx.observer.acked(proxy, typeUrl, req.versionInfo);
      }
    }
    const first = !w.requested;
    w.requested = true;
    // Envoy repeats its whole subscription in every ACK: only a different one is decoded and applied.
    let added: string[] = [];
    if (first || req.resourceNamesKey !== w.namesKey) {
      added = this.updateSubscription(typeUrl, w, req.resourceNames, first);
      w.namesKey = req.resourceNamesKey;
    }
    if (first) {
      const current = this.subscribedResources(typeUrl, w);
      const version = setVersion(current.values());
      if (req.versionInfo !== '' && req.versionInfo === version) {
        // A reconnecting proxy that already holds exactly this content: nothing to send.
        this.recordSent(w, current.values(), true, '');
        w.ackedVersion = version;
        return;
      }
      this.respond(typeUrl, w, current.values(), true);
      return;
    }
    if (added.length === 0) return;
    const current = this.subscribedResources(typeUrl, w);
    if (isRootType(typeUrl)) {
      this.respond(typeUrl, w, current.values(), true);
    } else {
      const fresh: EncodedResource[] = [];
      for (const name of added) {
        const r = current.get(name);
        if (r) fresh.push(r);
      }
      this.respond(typeUrl, w, fresh, false);
    }
  }

  /** Applies a request's resource_names; returns the names newly subscribed (or ['*'] when wildcard began). */
  private updateSubscription(typeUrl: XdsTypeUrl, w: WatchedType, names: readonly string[], first: boolean): string[] {
    const explicit = names.filter((n) => n !== '*');
    const wantsStar = explicit.length !== names.length;
    let wildcard: boolean;
    if (first) {
      w.legacyWildcard = names.length === 0 && isRootType(typeUrl);
      wildcard = wantsStar || w.legacyWildcard;
    } else if (w.legacyWildcard && names.length === 0) {
      wildcard = true;
    } else {
      w.legacyWildcard = false;
      wildcard = wantsStar;
    }
    const added: string[] = [];
    if (wildcard && !w.wildcard) added.push('*');
    w.wildcard = wildcard;
    const next = new Set(explicit);
    for (const name of w.names) {
      if (!next.has(name)) {
        w.names.delete(name);
        if (!wildcard) w.sent.delete(name);
      }
    }
    for (const name of next) {
      if (!w.names.has(name)) {
        const shared = this.ctx.names.intern(name);
        w.names.add(shared);
        added.push(shared);
      }
    }
    return added;
  }

  protected async push(request: PushRequest): Promise<void> {
    for (const typeUrl of PUSH_ORDER) {
      const w = this.watched.get(typeUrl);
      if (!w?.requested) continue;
      if (isRootType(typeUrl)) {
        if (!request.full && this.ctx.cache.endpointChangesFor(typeUrl, this.proxy!) === 'none') continue;
        const current = this.subscribedResources(typeUrl, w);
        const version = setVersion(current.values());
        if (version === w.lastVersionSent) continue;
        await this.respondPaced(typeUrl, w, current.values(), true);
      } else {
        const candidates = this.pushCandidates(typeUrl, w);
        if (!candidates) continue;
        const changed: EncodedResource[] = [];
        for (const r of candidates.values()) if (w.sent.versionOf(r.name) !== r.version) changed.push(r);
        if (changed.length === 0) continue;
        await this.respondPaced(typeUrl, w, changed, false);
      }
    }
  }

  /**
   * version_info is the digest of everything the client will hold once it
   * applies this response: the complete set for LDS/CDS, and for partial
   * EDS/RDS responses what it held before plus what this one carries.
   */
  private buildResponse(typeUrl: XdsTypeUrl, w: WatchedType, toSend: Iterable<EncodedResource>, complete: boolean): Buffer {
    const nonce = this.nextNonce();
    const list = [...toSend];
    this.recordSent(w, list, complete, nonce);
    const buf = encodeSotwResponse(typeUrl, w.lastVersionSent, nonce, list, this.controlPlane);
    this.ctx.observer.responseSent(typeUrl, buf.length, list.length, 0);
    return buf;
  }

  private respond(typeUrl: XdsTypeUrl, w: WatchedType, toSend: Iterable<EncodedResource>, complete: boolean): void {
    this.send(this.buildResponse(typeUrl, w, toSend, complete));
  }

  private respondPaced(typeUrl: XdsTypeUrl, w: WatchedType, toSend: Iterable<EncodedResource>, complete: boolean): Promise<void> {
    return this.sendPaced(this.buildResponse(typeUrl, w, toSend, complete));
  }

  private recordSent(w: WatchedType, resources: Iterable<EncodedResource>, complete: boolean, nonce: string): void {
    if (complete) w.sent.clear();
    for (const r of resources) w.sent.set(r.name, r);
    w.lastVersionSent = w.sent.setVersion();
    if (nonce) w.lastNonce = nonce;
  }
}

/**
 * State-of-the-world ADS: every response for a type carries a version and a
 * nonce; LDS and CDS responses are always the complete set (absence means
 * deletion), RDS and EDS responses carry only what changed or was newly asked
 * for. A request whose nonce is not the latest one sent is stale and ignored:
 * the client will repeat its subscription when it acknowledges the latest.
 */
import { isRootType, PUSH_ORDER, type XdsTypeUrl } from '../proto/type-urls.js';
import type { PushRequest } from '../../push/push-request.js';
import type { EncodedResource } from '../cache/encoded-resource.js';
import { setVersion } from '../cache/set-version.js';
import { XdsConnection, type ConnectionContext, type ConnectionOptions } from './connection.js';
import { deferredSotwResponse, type SotwCall, type SotwRequest } from './wire.js';
import type { WatchedType } from './watched-type.js';
import type { OutboundResponse } from './outbound-queue.js';

export class SotwConnection extends XdsConnection {
  readonly protocol = 'sotw' as const;

  constructor(id: string, call: SotwCall, ctx: ConnectionContext, private readonly controlPlane: Uint8Array, options: ConnectionOptions = {}) {
    super(id, call as never, ctx, options);
  }

  handleRequest(req: SotwRequest): void {
    this.identify(req.node);
    const w = this.watchForRequest(req.typeUrl);
    if (!w) return;
    const typeUrl = req.typeUrl as XdsTypeUrl;
    // A stale request is ignored whole: the client repeats its subscription when it ACKs the latest response.
    if (this.recordResponseOutcome(w, req.responseNonce, req.errorDetail, req.versionInfo) === 'stale') return;
    const first = !w.requested;
    w.requested = true;
    // Envoy repeats its whole subscription in every ACK: only a different one is decoded and applied.
    let added: string[] = [];
    if (first || req.resourceNamesKey !== w.namesKey) {
      added = this.updateSubscription(typeUrl, w, req.resourceNames, req.resourceNamesKey, first);
      w.namesKey = req.resourceNamesKey;
    }
    if (first) {
      const current = this.subscribedResources(typeUrl, w);
      const version = setVersion(current.values());
      if (req.versionInfo !== '' && req.versionInfo === version) {
        // A reconnecting proxy that already holds exactly this content: nothing to send.
        this.recordSent(w, current, '');
        w.ackedVersion = version;
        return;
      }
      this.respond(typeUrl, w, current);
      return;
    }
    if (added.length === 0) return;
    const current = this.subscribedResources(typeUrl, w);
    if (isRootType(typeUrl)) {
      this.respond(typeUrl, w, current);
    } else {
      const fresh: EncodedResource[] = [];
      for (const name of added) {
        const r = current.get(name);
        if (r) fresh.push(r);
      }
      this.respond(typeUrl, w, fresh);
    }
  }

  /** Applies a request's resource_names; returns the names newly subscribed (or ['*'] when wildcard began). */
  private updateSubscription(typeUrl: XdsTypeUrl, w: WatchedType, names: readonly string[], namesKey: string, first: boolean): string[] {
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
    // Proxies with the same subscription share one immutable set (and so one cached resource map).
    const next = this.ctx.subscriptions.intern(`sotw|${typeUrl}|${namesKey}`, () => new Set(explicit.map((n) => this.ctx.names.intern(n))));
    const previous = w.names;
    if (!wildcard) for (const name of previous) if (!next.has(name)) w.sent.delete(name);
    for (const name of next) if (!previous.has(name)) added.push(name);
    w.names = next;
    return added;
  }

  protected async push(request: PushRequest): Promise<void> {
    const partial: XdsTypeUrl[] = [];
    for (const typeUrl of PUSH_ORDER) {
      const w = this.watched.get(typeUrl);
      if (!w?.requested) continue;
      if (isRootType(typeUrl)) {
        if (!request.full && this.ctx.cache.endpointChangesFor(typeUrl, this.proxy!, request) === 'none') continue;
        const current = this.subscribedResources(typeUrl, w);
        const version = setVersion(current.values());
        if (version === w.lastVersionSent) continue;
        await this.respondPaced(typeUrl, w, current);
      } else {
        const candidates = this.pushCandidates(typeUrl, w, request);
        if (!candidates) continue;
        const changed: EncodedResource[] = [];
        for (const r of candidates.values()) if (w.sent.versionOf(r.name) !== r.version) changed.push(r);
        if (changed.length === 0) continue;
        await this.respondPaced(typeUrl, w, changed);
        partial.push(typeUrl);
      }
    }
    this.reshareHeld(partial);
  }

  /**
   * A map is a complete response (LDS/CDS, or a first response): afterwards
   * the client holds exactly that map, which is usually shared with other
   * proxies. An array is a partial EDS/RDS response on top of what it held.
   * version_info is the digest of what the client holds once it applies it.
   * The stream's state moves now; the bytes are assembled when the response
   * leaves the outbound queue, from exactly these resources.
   */
  private buildResponse(typeUrl: XdsTypeUrl, w: WatchedType, resources: ReadonlyMap<string, EncodedResource> | readonly EncodedResource[]): OutboundResponse {
    const nonce = this.nextNonce();
    const list = Array.isArray(resources) ? resources : [...(resources as ReadonlyMap<string, EncodedResource>).values()];
    this.recordSent(w, resources, nonce);
    return this.reported(typeUrl, deferredSotwResponse(typeUrl, w.lastVersionSent, nonce, list, this.controlPlane), list.length, 0);
  }

  private respond(typeUrl: XdsTypeUrl, w: WatchedType, resources: ReadonlyMap<string, EncodedResource> | readonly EncodedResource[]): void {
    this.send(this.buildResponse(typeUrl, w, resources));
  }

  private respondPaced(typeUrl: XdsTypeUrl, w: WatchedType, resources: ReadonlyMap<string, EncodedResource> | readonly EncodedResource[]): Promise<void> {
    return this.sendPaced(this.buildResponse(typeUrl, w, resources));
  }

  private recordSent(w: WatchedType, resources: ReadonlyMap<string, EncodedResource> | readonly EncodedResource[], nonce: string): void {
    if (Array.isArray(resources)) for (const r of resources as readonly EncodedResource[]) w.sent.set(r.name, r);
    else w.sent.replaceAll(resources as ReadonlyMap<string, EncodedResource>);
    w.lastVersionSent = w.sent.setVersion();
    if (nonce) w.lastNonce = nonce;
  }
}

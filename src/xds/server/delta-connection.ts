/**
 * Incremental (Delta) ADS: the client says which names it subscribes to and
 * unsubscribes from, and, on a new stream, which versions it already holds;
 * the server sends only resources whose version the client lacks, and names
 * in removed_resources when they are deleted or do not exist. Subscription
 * changes are honoured even on a request with a stale nonce, because unlike
 * SotW they are not repeated later.
 */
import { isRootType, PUSH_ORDER, type XdsTypeUrl } from '../proto/type-urls.js';
import type { PushRequest } from '../../push/push-request.js';
import type { EncodedResource } from '../cache/encoded-resource.js';
import { XdsConnection, type ConnectionContext, type ConnectionOptions } from './connection.js';
import { createHash } from 'node:crypto';
import { deferredDeltaResponse, type DeltaCall, type DeltaRequest } from './wire.js';
import type { OutboundResponse } from './outbound-queue.js';
import type { WatchedType } from './watched-type.js';

interface DeltaChanges {
  readonly updates: EncodedResource[];
  readonly removed: string[];
}

export class DeltaConnection extends XdsConnection {
  readonly protocol = 'delta' as const;

  constructor(id: string, call: DeltaCall, ctx: ConnectionContext, private readonly controlPlane: Uint8Array, options: ConnectionOptions = {}) {
    super(id, call as never, ctx, options);
  }

  handleRequest(req: DeltaRequest): void {
    this.identify(req.node);
    const w = this.watchForRequest(req.typeUrl);
    if (!w) return;
    const typeUrl = req.typeUrl as XdsTypeUrl;
    // Delta ACKs carry no version: the nonce identifies what was acknowledged.
    this.recordResponseOutcome(w, req.responseNonce, req.errorDetail, req.responseNonce);
    const first = !w.requested;
    w.requested = true;
    const reconnect = first && Object.keys(req.initialResourceVersions).length > 0;
    if (first) {
      for (const [name, version] of Object.entries(req.initialResourceVersions)) w.sent.set(name, { version });
      if (req.subscribe.length === 0 && isRootType(typeUrl)) {
        w.wildcard = true;
        w.legacyWildcard = true;
      }
    }
    const changed = this.updateSubscription(w, req, first);
    if (!first && !changed) return;
    const current = this.subscribedResources(typeUrl, w);
    const { updates, removed } = this.changesFor(w, current);
    // A fresh stream always gets an answer, even an empty one, so the proxy can finish initialising.
    // Either way the client now holds exactly `current`, a map usually shared with other proxies.
    if (updates.length > 0 || removed.length > 0 || (first && !reconnect)) this.send(this.buildResponse(typeUrl, w, updates, removed, current));
    else w.sent.replaceAll(current);
  }

  /** Applies subscribe/unsubscribe; returns whether anything changed. */
  private updateSubscription(w: WatchedType, req: DeltaRequest, first: boolean): boolean {
    let changed = false;
    // w.names may be shared with other streams: edit a copy, then intern the result.
    let names: Set<string> | undefined;
    const edit = (): Set<string> => (names ??= new Set(w.names));
    const has = (name: string): boolean => (names ?? w.names).has(name);
    for (const name of req.subscribe) {
      if (name === '*') {
        if (!w.wildcard) changed = true;
        w.wildcard = true;
        continue;
      }
      if (has(name)) continue;
      edit().add(this.ctx.names.intern(name));
      changed = true;
      // Newly subscribed names are sent even if sent before, unless the client just told us it holds them.
      if (!(first && name in req.initialResourceVersions)) w.sent.delete(name);
      w.reportedAbsent.delete(name);
    }
    for (const name of req.unsubscribe) {
      changed = true;
      if (name === '*') {
        w.wildcard = false;
        w.legacyWildcard = false;
        for (const held of w.sent.names()) if (!has(held)) w.sent.delete(held);
        continue;
      }
      if (has(name)) edit().delete(name);
      w.reportedAbsent.delete(name);
      // Under a wildcard the client still wants the resource; forgetting we sent it makes us send it again.
      w.sent.delete(name);
    }
    if (names) {
      const edited = names;
      w.names = this.ctx.subscriptions.intern(subscriptionKey(w.typeUrl, edited), () => edited);
    }
    return changed;
  }

  private changesFor(w: WatchedType, current: ReadonlyMap<string, EncodedResource>): DeltaChanges {
    const updates: EncodedResource[] = [];
    for (const r of current.values()) if (w.sent.versionOf(r.name) !== r.version) updates.push(r);
    const removed: string[] = [];
    for (const name of w.sent.names()) if (!current.has(name)) removed.push(name);
    for (const name of w.names) {
      if (!current.has(name) && !w.sent.has(name) && !w.reportedAbsent.has(name)) removed.push(name);
    }
    return { updates, removed };
  }

  protected async push(request: PushRequest): Promise<void> {
    const removals: Array<[XdsTypeUrl, WatchedType, string[]]> = [];
    const pushed: XdsTypeUrl[] = [];
    for (const typeUrl of PUSH_ORDER) {
      const w = this.watched.get(typeUrl);
      if (!w?.requested) continue;
      let updates: EncodedResource[];
      let removed: string[] = [];
      if (request.full) {
        ({ updates, removed } = this.changesFor(w, this.subscribedResources(typeUrl, w)));
      } else {
        const candidates = this.pushCandidates(typeUrl, w, request);
        if (!candidates) continue;
        updates = [];
        for (const r of candidates.values()) if (w.sent.versionOf(r.name) !== r.version) updates.push(r);
      }
      if (updates.length > 0) await this.sendPaced(this.buildResponse(typeUrl, w, updates, []));
      if (removed.length > 0) removals.push([typeUrl, w, removed]);
      if (updates.length > 0 || removed.length > 0) pushed.push(typeUrl);
    }
    // Make-before-break: removals go out after every type's additions and updates.
    for (const [typeUrl, w, removed] of removals) await this.sendPaced(this.buildResponse(typeUrl, w, [], removed));
    this.reshareHeld(pushed);
  }

  /**
   * `holdsAfter`: the response brings the client to exactly this (shared) map,
   * so it is held by reference instead of recording each resource.
   */
  private buildResponse(
    typeUrl: XdsTypeUrl,
    w: WatchedType,
    updates: readonly EncodedResource[],
    removed: readonly string[],
    holdsAfter?: ReadonlyMap<string, EncodedResource>,
  ): OutboundResponse {
    const nonce = this.nextNonce();
    for (const r of updates) {
      if (!holdsAfter) w.sent.set(r.name, r);
      w.reportedAbsent.delete(r.name);
    }
    for (const name of removed) {
      if (!holdsAfter) w.sent.delete(name);
      if (w.names.has(name)) w.reportedAbsent.add(name);
    }
    if (holdsAfter) w.sent.replaceAll(holdsAfter);
    w.lastNonce = nonce;
    const snapshot = this.ctx.cache.currentSnapshot;
    // The stream's state moves now; the bytes are assembled when the response leaves the outbound queue.
    const response = deferredDeltaResponse(typeUrl, snapshot ? String(snapshot.id) : '', nonce, updates, removed, this.controlPlane);
    return this.reported(typeUrl, response, updates.length, removed.length);
  }
}

/** Identifies a subscription by its names, whatever order they were subscribed in. */
function subscriptionKey(typeUrl: string, names: ReadonlySet<string>): string {
  const hash = createHash('sha1');
  for (const name of [...names].sort()) hash.update(name).update('\n');
  return `delta|${typeUrl}|${names.size}|${hash.digest('base64')}`;
}

/**
 * What the xDS server reports about itself. The server calls these; metrics,
 * logs and debug endpoints implement them, so the server imports none of them.
 */
import type { ProxyNode } from '../../model/proxy.js';
import type { InvalidResourceFallback } from '../cache/generation-cache.js';
import type { Violation } from '../validate/violation.js';
import type { ErrorDetail } from './wire.js';

export type StreamProtocol = 'sotw' | 'delta';

export interface XdsServerObserver {
  connected(proxy: ProxyNode, protocol: StreamProtocol): void;
  disconnected(proxy: ProxyNode, protocol: StreamProtocol): void;
  /** One response written: its type, size on the wire and how many resources (and removals) it carried. */
  responseSent(typeUrl: string, bytes: number, resources: number, removed: number): void;
  acked(proxy: ProxyNode, typeUrl: string, version: string): void;
  /** The proxy rejected what it was sent; it keeps running on its last good config. */
  nacked(proxy: ProxyNode, typeUrl: string, detail: ErrorDetail): void;
  staleNonce(proxy: ProxyNode, typeUrl: string): void;
  /** A push reached every connection; seconds from the push request to the last write. */
  pushCompleted(full: boolean, seconds: number, connections: number): void;
  /** A generator or encoder failed; the resource is left out, the rest of the config is served. */
  internalError(typeUrl: string, key: string, error: unknown): void;
  /**
   * A generated resource broke a PGV rule of Envoy's protos (a tsiod bug). It
   * was not sent: proxies get its last good version, or nothing if it never had one.
   */
  invalidResource(typeUrl: string, name: string, violations: readonly Violation[], served: InvalidResourceFallback): void;
  /** A stream was closed because of what its client sent. */
  streamRejected(reason: string, proxyId: string | undefined): void;
  /** A response's bytes had not left after the send budget's stall time: its client is not reading. */
  sendStalled(bytes: number): void;
}

export const silentObserver: XdsServerObserver = {
  connected() {}, disconnected() {}, responseSent() {}, acked() {}, nacked() {}, staleNonce() {},
  pushCompleted() {}, internalError() {}, invalidResource() {}, streamRejected() {}, sendStalled() {},
};

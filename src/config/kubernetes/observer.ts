/**
 * What the Kubernetes source reports about itself. The source calls these;
 * metrics (src/metrics) and logs implement them, so the config layer imports
 * neither prom-client nor a logger.
 */

/** Why a kind's list+watch loop started over. */
export type WatchRestartReason =
  /** A request failed or the apiserver sent an error: retried after a backoff. */
  | 'error'
  /** 410 Gone: the resourceVersion was compacted away; the kind is listed again. */
  | 'expired'
  /** The stream ended cleanly (the server's timeout, or silence): resumed at once. */
  | 'closed';

export interface KubernetesSourceObserver {
  /** The kind's initial list has been applied (true), or it stopped being served (false). */
  synced(kind: string, synced: boolean): void;
  /** The apiserver sent something for the kind: a list, a watch event or a bookmark. */
  received(kind: string): void;
  watchRestarted(kind: string, reason: WatchRestartReason): void;
  /** The kind was listed again after its first sync (a 410, or the periodic resync). */
  relisted(kind: string): void;
}

export const silentKubernetesObserver: KubernetesSourceObserver = {
  synced() {}, received() {}, watchRestarted() {}, relisted() {},
};

/** The subset of a structured logger (pino's) the source writes to. */
export interface SourceLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: SourceLogger = { debug() {}, info() {}, warn() {}, error() {} };

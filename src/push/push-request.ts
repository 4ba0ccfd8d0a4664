/**
 * What changed between two snapshots, and so what a push must regenerate.
 * Reasons are a closed set so that metrics and debug output stay bounded.
 */
export type PushReason = 'config' | 'endpoint' | 'service' | 'mesh' | 'secret' | 'initial';

export interface PushRequest {
  /** A full push regenerates every type; a partial one only EDS for `endpointHosts`. */
  readonly full: boolean;
  readonly reasons: ReadonlySet<PushReason>;
  /** Service host names whose endpoints changed (meaningful when !full). */
  readonly endpointHosts: ReadonlySet<string>;
  /** "Kind/namespace/name" of config objects that changed (for debug and metrics). */
  readonly configsUpdated: ReadonlySet<string>;
  /**
   * A scoped full push: only proxies in these namespaces can see the change,
   * so only they are pushed to. Absent: every proxy.
   */
  readonly namespaces?: ReadonlySet<string>;
}

/**
 * Merging keeps the union: a debounced burst of endpoint changes plus one
 * config change becomes one full push. Two scoped pushes reach the union of
 * their namespaces; anything merged with an unscoped request is unscoped.
 */
export function mergePushRequests(a: PushRequest, b: PushRequest): PushRequest {
  const scoped = a.namespaces && b.namespaces ? { namespaces: new Set([...a.namespaces, ...b.namespaces]) } : {};
  return {
    full: a.full || b.full,
    reasons: new Set([...a.reasons, ...b.reasons]),
    endpointHosts: new Set([...a.endpointHosts, ...b.endpointHosts]),
    configsUpdated: new Set([...a.configsUpdated, ...b.configsUpdated]),
    ...scoped,
  };
}

/** A full push that only proxies in `namespaces` need. */
export function scopedPush(reason: PushReason, namespaces: Iterable<string>, configsUpdated: Iterable<string> = []): PushRequest {
  return { ...fullPush(reason, configsUpdated), namespaces: new Set(namespaces) };
}

export function fullPush(reason: PushReason, configsUpdated: Iterable<string> = []): PushRequest {
  return { full: true, reasons: new Set([reason]), endpointHosts: new Set(), configsUpdated: new Set(configsUpdated) };
}

export function endpointPush(hosts: Iterable<string>): PushRequest {
  return { full: false, reasons: new Set(['endpoint']), endpointHosts: new Set(hosts), configsUpdated: new Set() };
}

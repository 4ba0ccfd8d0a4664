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
  /**
   * Secrets that changed outside the snapshot (a re-issued workload
   * certificate, a new trust bundle). Only streams authenticated as one of
   * these identities (any identity, for the trust bundle) are pushed to, and
   * only the secrets that changed are regenerated.
   */
  readonly secrets?: SecretChange;
}

export interface SecretChange {
  /** identityKey()s whose own certificate ("default") changed. */
  readonly identities: ReadonlySet<string>;
  /** The trust bundle ("ROOTCA") changed: every authenticated stream gets it. */
  readonly trustBundle: boolean;
}

/** One string per identity; namespaces and service accounts are DNS labels, so "/" cannot be ambiguous. */
export function identityKey(namespace: string, serviceAccount: string): string {
  return `${namespace}/${serviceAccount}`;
}

/**
 * Merging keeps the union: a debounced burst of endpoint changes plus one
 * config change becomes one full push. Two scoped pushes reach the union of
 * their namespaces; anything merged with an unscoped request is unscoped.
 */
export function mergePushRequests(a: PushRequest, b: PushRequest): PushRequest {
  // A secrets-only request reaches streams by identity, not by namespace: it neither widens nor narrows the other's scope.
  const namespaces = isSecretsOnly(a) ? b.namespaces : isSecretsOnly(b) ? a.namespaces : a.namespaces && b.namespaces ? new Set([...a.namespaces, ...b.namespaces]) : undefined;
  const secrets = mergeSecretChanges(a.secrets, b.secrets);
  return {
    full: a.full || b.full,
    reasons: new Set([...a.reasons, ...b.reasons]),
    endpointHosts: new Set([...a.endpointHosts, ...b.endpointHosts]),
    configsUpdated: new Set([...a.configsUpdated, ...b.configsUpdated]),
    ...(namespaces ? { namespaces } : {}),
    ...(secrets ? { secrets } : {}),
  };
}

function mergeSecretChanges(a: SecretChange | undefined, b: SecretChange | undefined): SecretChange | undefined {
  if (!a || !b) return a ?? b;
  return { identities: new Set([...a.identities, ...b.identities]), trustBundle: a.trustBundle || b.trustBundle };
}

/** A request that changes secrets and nothing else: config and endpoints stay as they are. */
export function isSecretsOnly(request: PushRequest): boolean {
  return request.secrets !== undefined && !request.full && request.endpointHosts.size === 0;
}

/** Re-sends the changed secrets to the streams authenticated as their identities (every authenticated stream for the trust bundle). */
export function secretPush(change: SecretChange): PushRequest {
  return { full: false, reasons: new Set(['secret']), endpointHosts: new Set(), configsUpdated: new Set(), secrets: change };
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

/**
 * Serves a cluster's objects as config: one supervised informer per kind
 * (kind-table.ts) feeds a ConfigStore, one origin per object
 * ("k8s:Kind/ns/name"), and tells a listener what changed, in the same shape
 * as the directory source so serve.ts's push path is shared.
 *
 * An invalid object is reported (onError) and left out alone; if it was
 * valid before, its last version goes away, as a broken file's objects do.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { EMPTY_CHANGE_SET, isEmptyChangeSet, mergeChangeSets, type ChangeSet } from '../change-set.js';
import type { ConfigError } from '../config-error.js';
import type { ConfigKey, ConfigObject } from '../config-object.js';
import type { ConfigSource, SourceUpdate } from '../config-source.js';
import { ConfigStore } from '../store.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import type { KindDelta } from './kind-cache.js';
import { KindInformer, type KindStatus } from './kind-informer.js';
import { KUBE_KINDS, type KubeKind } from './kind-table.js';
import { ClientNodeKubeApi, type KubeApi } from './kube-api.js';
import { silentKubernetesObserver, silentLogger, type KubernetesSourceObserver, type SourceLogger } from './observer.js';
import { kubernetesSource } from './to-config-object.js';

export interface KubernetesSourceTuning {
  /** Restart delays after a failure; default 0.5 s doubling to 30 s, ±20 %. */
  readonly backoff?: BackoffPolicy;
  /** How often a kind whose CRD is not installed is looked for again; default 60 s. */
  readonly missingRecheckMs?: number;
  /** Period of the re-list that double-checks each kind's watched state; default 30 min; 0 turns it off. */
  readonly resyncMs?: number;
  /** Server-side timeout of each watch; default drawn from 5-10 min per watch, as client-go does. */
  readonly watchTimeoutSeconds?: number;
  /**
   * A watch silent this long (no event, no bookmark) is presumed dead and reopened; default 3 min. The
   * apiserver's watch cache bookmarks a quiet watch about every minute, the first after about two (measured on v1.37).
   */
  readonly inactivityMs?: number;
  /** Objects per list page (client-go's reflector pages by 500); lists follow `continue` tokens to the end. */
  readonly listPageSize?: number;
}

export interface KubernetesSourceOptions extends KubernetesSourceTuning {
  readonly kubeConfig: KubeConfig;
  /** The store to feed; a new one when left out. */
  readonly store?: ConfigStore;
  /** Called for each batch that changed the store, once start() has resolved (the initial load is start()'s result). */
  readonly onUpdate?: (update: SourceUpdate) => void;
  /** Each invalid object, when it arrives (again when a new version of it is still invalid). */
  readonly onError?: (error: ConfigError) => void;
  readonly observer?: KubernetesSourceObserver;
  readonly logger?: SourceLogger;
  /** The kinds to read; default all of KUBE_KINDS. */
  readonly kinds?: readonly KubeKind[];
  /** start() resolves by then even if some kind has not synced (it logs which; synced() stays false); default 60 s. */
  readonly syncTimeoutMs?: number;
}

const DEFAULT_SYNC_TIMEOUT_MS = 60_000;
const DEFAULT_MISSING_RECHECK_MS = 60_000;
const DEFAULT_RESYNC_MS = 30 * 60_000;
const DEFAULT_INACTIVITY_MS = 180_000;

export class KubernetesSource implements ConfigSource {
  readonly store: ConfigStore;
  private readonly api: KubeApi;
  private readonly informers: readonly KindInformer[];
  private readonly logger: SourceLogger;
  private readonly errorsByKey = new Map<ConfigKey, readonly ConfigError[]>();
  /** The changes made before start() resolved: start()'s result. */
  private initial: ChangeSet = EMPTY_CHANGE_SET;
  private started = false;
  private startedUp = false;
  private closed = false;
  private phaseListeners: (() => void)[] = [];

  constructor(private readonly options: KubernetesSourceOptions) {
    this.store = options.store ?? new ConfigStore();
    this.logger = options.logger ?? silentLogger;
    this.api = new ClientNodeKubeApi(options.kubeConfig, options.listPageSize);
    const fixedTimeout = options.watchTimeoutSeconds;
    const tuning = {
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      missingRecheckMs: options.missingRecheckMs ?? DEFAULT_MISSING_RECHECK_MS,
      resyncMs: options.resyncMs ?? DEFAULT_RESYNC_MS,
      watchTimeoutSeconds: fixedTimeout !== undefined ? () => fixedTimeout : () => 300 + Math.floor(Math.random() * 300),
      inactivityMs: options.inactivityMs ?? DEFAULT_INACTIVITY_MS,
    };
    this.informers = (options.kinds ?? KUBE_KINDS).map(
      (kind) =>
        new KindInformer({
          ...tuning,
          kind,
          api: this.api,
          observer: options.observer ?? silentKubernetesObserver,
          logger: this.logger,
          apply: (k, delta) => this.apply(k, delta),
          phaseChanged: () => this.phaseChanged(),
        }),
    );
  }

  /** Starts every informer; resolves once each kind has synced or turned out not to be served, or at the sync timeout. */
  async start(): Promise<SourceUpdate> {
    if (this.started) throw new Error('KubernetesSource.start() was already called');
    this.started = true;
    for (const informer of this.informers) informer.start();
    const timeoutMs = this.options.syncTimeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (!this.synced() && !this.closed) return;
        clearTimeout(timer);
        resolve();
      };
      timer = setTimeout(() => {
        this.phaseListeners = this.phaseListeners.filter((l) => l !== check);
        resolve();
      }, timeoutMs);
      this.phaseListeners.push(check);
      check();
    });
    this.phaseListeners = [];
    const statuses = this.status();
    const pending = statuses.filter((s) => s.phase === 'pending');
    const missing = statuses.filter((s) => s.phase === 'missing').map((s) => s.kind);
    if (pending.length > 0) {
      const detail = pending.map((s) => `${s.kind}${s.lastError ? ` (${s.lastError})` : ''}`).join(', ');
      this.logger.warn(
        { pending: pending.map((s) => s.kind), missing },
        `kubernetes: not synced after ${timeoutMs / 1000} s: ${detail}; serving what has synced, not ready until the rest has`,
      );
    } else {
      this.logger.info({ kinds: statuses.length - missing.length, missing, objects: this.store.size }, 'kubernetes: every served kind synced');
    }
    this.startedUp = true;
    const changes = this.initial;
    this.initial = EMPTY_CHANGE_SET;
    return { changes, errors: this.errors() };
  }

  /** True when every kind has synced, apart from kinds whose API is not served (CRDs not installed). */
  synced(): boolean {
    return this.informers.every((informer) => informer.status().phase !== 'pending');
  }

  status(): readonly KindStatus[] {
    return this.informers.map((informer) => informer.status());
  }

  /** Every invalid object currently left out, by key. */
  errors(): readonly ConfigError[] {
    return [...this.errorsByKey.keys()].sort().flatMap((key) => this.errorsByKey.get(key) ?? []);
  }

  async close(): Promise<void> {
    this.closed = true;
    // A start() still waiting for the initial sync returns now, with what it has.
    for (const listener of [...this.phaseListeners]) listener();
    await Promise.all(this.informers.map((informer) => informer.stop()));
    await this.api.close();
  }

  private apply(kind: KubeKind, delta: KindDelta): void {
    const batch = new Map<string, readonly ConfigObject[] | null>();
    for (const [key, entry] of delta) {
      batch.set(kubernetesSource(key), entry.object ? [entry.object] : null);
      if (entry.errors.length === 0) {
        this.errorsByKey.delete(key);
        continue;
      }
      this.errorsByKey.set(key, entry.errors);
      for (const error of entry.errors) this.options.onError?.(error);
    }
    const changes = this.store.update(batch);
    if (!this.startedUp) {
      this.initial = mergeChangeSets(this.initial, changes);
      return;
    }
    // An invalid object that stays invalid changes nothing served; onError has reported it.
    if (isEmptyChangeSet(changes)) return;
    this.logger.debug({ kind: kind.kind, added: changes.added.size, updated: changes.updated.size, removed: changes.removed.size }, 'kubernetes: config changed');
    this.options.onUpdate?.({ changes, errors: this.errors() });
  }

  private phaseChanged(): void {
    for (const listener of [...this.phaseListeners]) listener();
  }
}

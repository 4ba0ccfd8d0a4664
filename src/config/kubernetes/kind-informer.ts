/**
 * One kind's list+watch loop, supervised: it lists, watches from the list's
 * resourceVersion, and whatever ends the watch it starts over the right way.
 *
 *   ended cleanly (server timeout, silence)  → watch again from the last resourceVersion, at once
 *   410 Gone (history compacted)             → list again; the list's diff reports what was missed, deletes included
 *   any other failure                        → watch again (or list, if never listed) after a jittered backoff
 *   404 on list (CRD not installed)          → the kind is "missing": its objects go, it is re-checked periodically
 *
 * A list pages as client-go's reflector does (listPageSize, default 500,
 * following continue tokens); a token that expires mid-list (410) starts
 * that list over from its first page (kube-api.ts).
 *
 * Events of one read from the stream are applied to the store as one batch
 * (flushed on setImmediate), and a whole list as one batch.
 */
import { Backoff, type BackoffPolicy } from './backoff.js';
import { KindCache, type KindDelta } from './kind-cache.js';
import { collectionPath, describeResource, selectorQuery, type KubeKind } from './kind-table.js';
import { statusCodeOf, type KubeApi, type WatchEnd, type WatchEvent, type WatchStream } from './kube-api.js';
import type { KubernetesSourceObserver, SourceLogger, WatchRestartReason } from './observer.js';
import { abortableSleep } from './abortable-sleep.js';

/** pending: not listed yet (or every list so far failed); synced: listed, watching; missing: its API is not served. */
export type KindPhase = 'pending' | 'synced' | 'missing';

export interface KindInformerTuning {
  readonly backoff: BackoffPolicy;
  /** How often a kind whose API is not served (CRD not installed) is listed again. */
  readonly missingRecheckMs: number;
  /** Period of the re-list that double-checks the watched state (jittered ±10 %); 0 turns it off. */
  readonly resyncMs: number;
  /** The server-side timeout asked for each watch, drawn per watch so kinds do not all reconnect together. */
  readonly watchTimeoutSeconds: () => number;
  /** A watch that sends nothing (not even a bookmark) for this long is presumed dead and reopened. */
  readonly inactivityMs: number;
}

export interface KindInformerOptions extends KindInformerTuning {
  readonly kind: KubeKind;
  readonly api: KubeApi;
  readonly observer: KubernetesSourceObserver;
  readonly logger: SourceLogger;
  /** Receives each batch of this kind's net changes. */
  readonly apply: (kind: KubeKind, delta: KindDelta) => void;
  readonly phaseChanged: (kind: KubeKind, phase: KindPhase) => void;
}

export interface KindStatus {
  readonly kind: string;
  readonly phase: KindPhase;
  /** The last failure, until a list or watch succeeds again. */
  readonly lastError?: string;
  readonly objects: number;
}

type ListReason = 'initial' | 'expired' | 'resync' | 'recheck';
type ListOutcome = 'listed' | 'missing' | 'failed' | 'stopped';

/** A watch that ends with nothing received within this long is retried after a backoff, not at once. */
const HEALTHY_WATCH_MS = 1_000;

export class KindInformer {
  private phase: KindPhase = 'pending';
  private lastError: string | undefined;
  private readonly cache: KindCache;
  private readonly backoff: Backoff;
  private resourceVersion = '';
  private pending: KindDelta = new Map();
  private flushTask: NodeJS.Immediate | undefined;
  private stopped = false;
  private readonly stopping = new AbortController();
  private watch: WatchStream | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private resyncDue = false;
  private running: Promise<void> | undefined;

  constructor(private readonly options: KindInformerOptions) {
    this.cache = new KindCache(options.kind);
    this.backoff = new Backoff(options.backoff);
  }

  get kind(): KubeKind {
    return this.options.kind;
  }

  status(): KindStatus {
    return { kind: this.kind.kind, phase: this.phase, ...(this.lastError !== undefined ? { lastError: this.lastError } : {}), objects: this.cache.size };
  }

  start(): void {
    if (this.running) throw new Error(`the ${this.kind.kind} informer was already started`);
    this.running = this.run().catch((error: unknown) => {
      // Nothing in run() should throw; if it does, the kind stops updating, which the log must say loudly.
      this.options.logger.error({ kind: this.kind.kind, err: errorMessage(error) }, `kubernetes: the ${this.kind.kind} informer stopped on an internal error`);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    this.watch?.abort();
    clearTimeout(this.resyncTimer);
    if (this.flushTask) clearImmediate(this.flushTask);
    this.flushTask = undefined;
    this.pending = new Map();
    await this.running;
  }

  private get log(): SourceLogger {
    return this.options.logger;
  }

  private async run(): Promise<void> {
    let listReason: ListReason | undefined = 'initial';
    let expiredInARow = 0;
    while (!this.stopped) {
      if (this.resyncDue) {
        this.resyncDue = false;
        listReason ??= 'resync';
      }
      if (listReason !== undefined) {
        const outcome = await this.list(listReason);
        if (outcome === 'stopped') return;
        if (outcome === 'missing') {
          listReason = 'recheck';
          await this.sleep(this.options.missingRecheckMs);
          continue;
        }
        if (outcome === 'failed') {
          await this.sleep(this.backoff.next());
          continue;
        }
        listReason = undefined;
      }

      const { end, events, lastedMs } = await this.watchOnce();
      if (this.stopped) return;
      if (events > 0) {
        this.backoff.reset();
        this.lastError = undefined;
      }
      if (end.reason === 'aborted') continue; // the resync timer: resyncDue is set
      if (end.reason === 'closed') {
        this.restarted('closed', end.detail);
        if (events === 0 && lastedMs < HEALTHY_WATCH_MS) await this.sleep(this.backoff.next());
        continue;
      }
      const code = statusCodeOf(end.error);
      if (code === 410) {
        this.restarted('expired', end.error.message);
        listReason = 'expired';
        // One 410 is routine; a list whose resourceVersion is already too old for its watch, again and again, is not.
        expiredInARow = events === 0 ? expiredInARow + 1 : 1;
        if (expiredInARow > 1) await this.sleep(this.backoff.next());
        continue;
      }
      expiredInARow = 0;
      this.fail('error', end.error);
      // The resource went away between list and watch (CRD deleted): listing tells missing from broken.
      if (code === 404) listReason = 'recheck';
      await this.sleep(this.backoff.next());
    }
  }

  private async list(reason: ListReason): Promise<ListOutcome> {
    const kind = this.kind;
    // A resync need not be a quorum read: anything at least as new as what the watch saw will do, and the watch cache serves that.
    const query: Record<string, string> = {
      ...selectorQuery(kind),
      ...(reason === 'resync' && this.resourceVersion !== '' ? { resourceVersion: this.resourceVersion, resourceVersionMatch: 'NotOlderThan' } : {}),
    };
    let items: readonly unknown[];
    let resourceVersion: string;
    try {
      const onListRestart = (expired: Error): void =>
        this.log.info({ kind: kind.kind, err: expired.message }, `kubernetes: a ${kind.kind} list page expired (410); listing again from the first page`);
      ({ items, resourceVersion } = await this.options.api.list(collectionPath(kind), query, this.stopping.signal, { redact: kind.sensitive, onListRestart }));
    } catch (error) {
      if (this.stopped) return 'stopped';
      if (statusCodeOf(error) === 404) {
        this.becomeMissing();
        return 'missing';
      }
      this.fail('error', error);
      return 'failed';
    }
    if (this.stopped) return 'stopped';
    this.options.observer.received(kind.kind);
    const unnamed = this.cache.replaceAll(items, this.pending);
    if (unnamed > 0) this.log.warn({ kind: kind.kind, count: unnamed }, `kubernetes: ${unnamed} listed ${kind.kind} objects have no metadata.name; ignored`);
    this.resourceVersion = resourceVersion;
    this.lastError = undefined;
    this.backoff.reset();
    this.flush();
    if (this.phase === 'synced') {
      this.options.observer.relisted(kind.kind);
      this.log.info({ kind: kind.kind, reason, objects: this.cache.size, resourceVersion }, `kubernetes: re-listed ${kind.kind} (${reason})`);
    } else {
      const message = this.phase === 'missing' ? `kubernetes: ${describeResource(kind)} is served now; watching ${kind.kind}` : `kubernetes: listed ${kind.kind}`;
      this.log.info({ kind: kind.kind, objects: this.cache.size, resourceVersion }, message);
      this.setPhase('synced');
    }
    this.armResync();
    return 'listed';
  }

  private async watchOnce(): Promise<{ readonly end: WatchEnd; readonly events: number; readonly lastedMs: number }> {
    const started = Date.now();
    let events = 0;
    const query = {
      ...selectorQuery(this.kind),
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(this.options.watchTimeoutSeconds()),
    };
    const stream = this.options.api.watch(collectionPath(this.kind), query, (event) => {
      events += 1;
      this.onEvent(event);
    }, this.options.inactivityMs, { redact: this.kind.sensitive });
    this.watch = stream;
    if (this.stopped || this.resyncDue) stream.abort();
    const end = await stream.ended;
    this.watch = undefined;
    // Whatever the stream delivered reaches the store before the loop decides what comes next.
    if (!this.stopped) this.flush();
    return { end, events, lastedMs: Date.now() - started };
  }

  private onEvent(event: WatchEvent): void {
    this.options.observer.received(this.kind.kind);
    const object = event.object as { readonly metadata?: { readonly resourceVersion?: unknown } } | null | undefined;
    const resourceVersion = object?.metadata?.resourceVersion;
    if (typeof resourceVersion === 'string' && resourceVersion !== '') this.resourceVersion = resourceVersion;
    let named = true;
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
        named = this.cache.upsert(event.object, this.pending);
        break;
      case 'DELETED':
        named = this.cache.remove(event.object, this.pending);
        break;
      case 'BOOKMARK':
        return;
      default:
        this.log.debug({ kind: this.kind.kind, type: event.type }, 'kubernetes: unknown watch event type ignored');
        return;
    }
    if (!named) this.log.warn({ kind: this.kind.kind, type: event.type }, `kubernetes: a ${this.kind.kind} watch event has no metadata.name; ignored`);
    this.flushTask ??= setImmediate(() => {
      this.flushTask = undefined;
      this.flush();
    });
  }

  private flush(): void {
    if (this.flushTask) clearImmediate(this.flushTask);
    this.flushTask = undefined;
    if (this.pending.size === 0) return;
    const delta = this.pending;
    this.pending = new Map();
    this.options.apply(this.kind, delta);
  }

  private becomeMissing(): void {
    const kind = this.kind;
    this.lastError = `${describeResource(kind)} is not served`;
    if (this.phase === 'missing') return;
    const every = `${Math.round(this.options.missingRecheckMs / 1000)} s`;
    const fields = { kind: kind.kind, resource: describeResource(kind) };
    if (kind.fromCrd) this.log.warn(fields, `kubernetes: ${describeResource(kind)} is not served (CRD not installed, or an Istio older than 1.22); ${kind.kind} is ignored, re-checked every ${every}`);
    else this.log.error(fields, `kubernetes: ${describeResource(kind)} is not served by this apiserver; ${kind.kind} is ignored, re-checked every ${every}`);
    this.cache.clear(this.pending);
    this.flush();
    this.resourceVersion = '';
    clearTimeout(this.resyncTimer);
    this.setPhase('missing');
  }

  private fail(reason: WatchRestartReason, error: unknown): void {
    const message = errorMessage(error);
    // Every retry of a long outage would repeat the same line: say it when it changes.
    const level = message === this.lastError ? 'debug' : 'warn';
    this.lastError = message;
    this.log[level]({ kind: this.kind.kind, err: message }, `kubernetes: ${this.kind.kind} list/watch failed; retrying with backoff`);
    this.options.observer.watchRestarted(this.kind.kind, reason);
  }

  private restarted(reason: WatchRestartReason, detail: string): void {
    const level = reason === 'expired' ? 'info' : 'debug';
    this.log[level]({ kind: this.kind.kind, reason, detail }, `kubernetes: ${this.kind.kind} watch ${reason === 'expired' ? 'expired; re-listing' : 'ended; resuming'}`);
    this.options.observer.watchRestarted(this.kind.kind, reason);
  }

  private setPhase(phase: KindPhase): void {
    if (this.phase === phase) return;
    this.phase = phase;
    this.options.observer.synced(this.kind.kind, phase === 'synced');
    this.options.phaseChanged(this.kind, phase);
  }

  private armResync(): void {
    clearTimeout(this.resyncTimer);
    if (!(this.options.resyncMs > 0)) return;
    const delay = this.options.resyncMs * (0.9 + 0.2 * Math.random());
    this.resyncTimer = setTimeout(() => {
      this.resyncDue = true;
      this.watch?.abort();
    }, delay);
    this.resyncTimer.unref();
  }

  /** Resolves after `ms`, or at once when the informer stops. */
  private sleep(ms: number): Promise<void> {
    return this.stopped ? Promise.resolve() : abortableSleep(ms, this.stopping.signal);
  }
}

function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici hides the socket error (ECONNREFUSED, ECONNRESET) in `cause`; the log needs it.
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error && !error.message.includes(cause.message) ? `${error.message}: ${cause.message}` : error.message;
}

/**
 * A small informer: lists a collection, watches it from the list's
 * resourceVersion, keeps the objects, and says which ones changed.
 *
 *   watch ended cleanly   → watch again from the last resourceVersion
 *   410 Gone, other error → list again (after a backoff for errors); the
 *                           list's diff reports what was missed, deletes too
 *
 * The config source's KindInformer does the same for config kinds, but it
 * turns objects into ConfigObjects; the CA's controllers need the raw ones
 * (a Namespace's phase, a ConfigMap's data).
 */
import type { Logger } from 'pino';
import { Backoff, DEFAULT_BACKOFF, type BackoffPolicy } from '../../config/kubernetes/backoff.js';
import { statusCodeOf, type KubeApi, type WatchStream } from '../../config/kubernetes/kube-api.js';
import { isJsonObject, type JsonObject } from './kube-rest.js';
import { abortableSleep } from '../../config/kubernetes/abortable-sleep.js';

export interface CollectionWatchOptions {
  readonly api: KubeApi;
  /** The collection's URL path ("/api/v1/namespaces"). */
  readonly path: string;
  /** Selectors sent with the list and every watch. */
  readonly query?: Readonly<Record<string, string>>;
  /** Names the collection in logs ("Namespaces"). */
  readonly describe: string;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** Told of each object that was added, changed (undefined: deleted), after the store holds the change. */
  readonly onChange: (key: string, object: JsonObject | undefined) => void;
  readonly backoff?: BackoffPolicy;
  /** A watch silent this long (not even a bookmark) is presumed dead and reopened; default 180 s. */
  readonly inactivityMs?: number;
}

const DEFAULT_INACTIVITY_MS = 180_000;

/** "namespace/name", or "name" for a cluster-scoped object; undefined without a name. */
export function objectKey(object: unknown): string | undefined {
  const metadata = isJsonObject(object) && isJsonObject(object['metadata']) ? object['metadata'] : undefined;
  const name = metadata?.['name'];
  if (typeof name !== 'string' || name === '') return undefined;
  const namespace = metadata?.['namespace'];
  return typeof namespace === 'string' && namespace !== '' ? `${namespace}/${name}` : name;
}

function resourceVersionOf(object: unknown): string {
  const metadata = isJsonObject(object) && isJsonObject(object['metadata']) ? object['metadata'] : {};
  return typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : '';
}

export class CollectionWatch {
  private readonly objects = new Map<string, JsonObject>();
  private readonly backoff: Backoff;
  private readonly stopping = new AbortController();
  private stopped = false;
  private watch: WatchStream | undefined;
  private running: Promise<void> | undefined;
  private markSynced: () => void = () => undefined;
  /** Resolves once the first list is in the store. */
  readonly synced: Promise<void> = new Promise((resolve) => (this.markSynced = resolve));

  constructor(private readonly o: CollectionWatchOptions) {
    this.backoff = new Backoff(o.backoff ?? DEFAULT_BACKOFF);
  }

  get(key: string): JsonObject | undefined {
    return this.objects.get(key);
  }

  values(): IterableIterator<JsonObject> {
    return this.objects.values();
  }

  start(): void {
    this.running ??= this.run().catch((error: unknown) => {
      this.o.logger.warn({ collection: this.o.describe, err: errorText(error) }, 'kubernetes: watch loop stopped on an internal error');
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    this.watch?.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    let resourceVersion: string | undefined;
    while (!this.stopped) {
      if (resourceVersion === undefined) {
        try {
          const listed = await this.o.api.list(this.o.path, this.o.query ?? {}, this.stopping.signal);
          if (this.stopped) return;
          this.replaceAll(listed.items);
          resourceVersion = listed.resourceVersion;
          this.backoff.reset();
          this.markSynced();
        } catch (error) {
          if (this.stopped) return;
          this.o.logger.warn({ collection: this.o.describe, err: errorText(error) }, 'kubernetes: list failed; retrying');
          await this.sleep(this.backoff.next());
          continue;
        }
      }
      const query = { ...this.o.query, resourceVersion: resourceVersion ?? '', allowWatchBookmarks: 'true', timeoutSeconds: String(300 + Math.floor(Math.random() * 300)) };
      let events = 0;
      this.watch = this.o.api.watch(this.o.path, query, (event) => {
        events += 1;
        const rv = resourceVersionOf(event.object);
        if (rv !== '') resourceVersion = rv;
        if (event.type === 'ADDED' || event.type === 'MODIFIED') this.upsert(event.object);
        else if (event.type === 'DELETED') this.remove(event.object);
      }, this.o.inactivityMs ?? DEFAULT_INACTIVITY_MS);
      if (this.stopped) this.watch.abort();
      const end = await this.watch.ended;
      this.watch = undefined;
      if (this.stopped || end.reason === 'aborted') return;
      if (events > 0) this.backoff.reset();
      if (end.reason === 'closed') {
        // A watch that ends at once, again and again, must not spin.
        if (events === 0) await this.sleep(this.backoff.next());
        continue;
      }
      const expired = statusCodeOf(end.error) === 410;
      if (!expired) {
        this.o.logger.warn({ collection: this.o.describe, err: end.error.message }, 'kubernetes: watch failed; listing again');
        await this.sleep(this.backoff.next());
      }
      resourceVersion = undefined;
    }
  }

  private replaceAll(items: readonly unknown[]): void {
    const listed = new Set<string>();
    for (const item of items) {
      const key = objectKey(item);
      if (key === undefined || !isJsonObject(item)) continue;
      listed.add(key);
      this.upsert(item);
    }
    for (const [key] of this.objects) {
      if (!listed.has(key)) {
        this.objects.delete(key);
        this.o.onChange(key, undefined);
      }
    }
  }

  private upsert(object: unknown): void {
    const key = objectKey(object);
    if (key === undefined || !isJsonObject(object)) return;
    const known = this.objects.get(key);
    if (known !== undefined && resourceVersionOf(known) !== '' && resourceVersionOf(known) === resourceVersionOf(object)) return;
    this.objects.set(key, object);
    this.o.onChange(key, object);
  }

  private remove(object: unknown): void {
    const key = objectKey(object);
    if (key === undefined || !this.objects.delete(key)) return;
    this.o.onChange(key, undefined);
  }

  private sleep(ms: number): Promise<void> {
    return this.stopped ? Promise.resolve() : abortableSleep(ms, this.stopping.signal);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Serves a directory of Kubernetes/Istio YAML as config: loads it once, then
 * watches it and re-reads only the files that changed, feeding a ConfigStore
 * (one origin per file) and telling a listener what changed.
 *
 * Errors go to the caller's `onError` once per change: every error of each
 * file re-read by that change, plus duplicate-key conflicts that change
 * brought about; errors of files left untouched are not repeated.
 */
import { watch, type FSWatcher } from 'chokidar';
import path from 'node:path';
import type { Stats } from 'node:fs';
import { isEmptyChangeSet } from './change-set.js';
import { formatConfigError, type ConfigError } from './config-error.js';
import type { ConfigObject } from './config-object.js';
import type { ConfigSource, SourceUpdate } from './config-source.js';
import { isConfigFile, listConfigFiles, loadConfigFiles, toRelative } from './directory-files.js';
import { ConfigStore } from './store.js';

/** `errors`: every current error in the directory (documents, objects and duplicate keys). */
export type DirectoryUpdate = SourceUpdate;

export interface DirectorySourceOptions {
  readonly directory: string;
  /** The store to feed; a new one when left out. */
  readonly store?: ConfigStore;
  /** Called after each change once `start()` has resolved (the initial load is start()'s result). */
  readonly onUpdate?: (update: DirectoryUpdate) => void;
  readonly onError?: (error: ConfigError) => void;
  /** Quiet time after a file event before re-reading, so an editor's write-rename-delete burst is one update. */
  readonly debounceMs?: number;
  /** Poll instead of using inotify/FSEvents (network file systems, some containers). */
  readonly usePolling?: boolean;
}

const DEFAULT_DEBOUNCE_MS = 50;

export class DirectorySource implements ConfigSource {
  readonly store: ConfigStore;
  private readonly directory: string;
  private readonly fileErrors = new Map<string, readonly ConfigError[]>();
  private readonly dirty = new Set<string>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private started = false;
  private loaded = false;
  private closed = false;
  private reportedConflicts = new Set<string>();

  constructor(private readonly options: DirectorySourceOptions) {
    this.directory = path.resolve(options.directory);
    this.store = options.store ?? new ConfigStore();
  }

  /** Starts watching, loads every file, and resolves with everything as added. */
  async start(): Promise<DirectoryUpdate> {
    if (this.started) throw new Error('DirectorySource.start() was already called');
    this.started = true;
    // Watch first: an edit made while the initial read runs is then re-read after it.
    await this.startWatching();
    const initial = this.loadAll();
    this.queue = initial.then(
      () => undefined,
      () => undefined,
    );
    try {
      const update = await initial;
      this.loaded = true;
      return update;
    } catch (error) {
      // A directory that cannot be read leaves nothing to watch.
      await this.close();
      throw error;
    }
  }

  /** A directory has nothing to wait for once its initial load is done. */
  synced(): boolean {
    return this.loaded;
  }

  /** Every current error (documents, objects, duplicate keys), files in sorted order. */
  errors(): readonly ConfigError[] {
    const files = [...this.fileErrors.keys()].sort();
    return [...files.flatMap((file) => this.fileErrors.get(file) ?? []), ...this.store.conflicts()];
  }

  /** Resolves when file events seen so far have been applied (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.timer !== undefined || this.dirty.size > 0) {
      if (this.timer !== undefined) await new Promise((resolve) => setTimeout(resolve, this.debounceMs));
      await this.queue;
    }
    await this.queue;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty.clear();
    await this.watcher?.close();
    await this.queue;
  }

  private get debounceMs(): number {
    return this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  }

  private async startWatching(): Promise<void> {
    const watcher = watch(this.directory, {
      ignoreInitial: true,
      usePolling: this.options.usePolling ?? false,
      interval: 100,
      ignored: (absolute: string, stats?: Stats) => {
        if (absolute === this.directory) return false;
        const relative = toRelative(this.directory, absolute);
        if (relative.split('/').some((part) => part.startsWith('.'))) return true;
        return stats?.isFile() === true && !isConfigFile(relative);
      },
    });
    this.watcher = watcher;
    const mark = (absolute: string): void => this.markDirty(toRelative(this.directory, absolute));
    watcher.on('add', mark).on('change', mark).on('unlink', mark);
    watcher.on('unlinkDir', (absolute: string) => {
      const prefix = `${toRelative(this.directory, absolute)}/`;
      for (const file of this.knownFiles()) if (file.startsWith(prefix)) this.markDirty(file);
    });
    watcher.on('error', (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      this.options.onError?.({ source: this.directory, message: `watching the directory failed: ${reason}` });
    });
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  }

  private knownFiles(): string[] {
    return [...this.fileErrors.keys()];
  }

  private markDirty(relative: string): void {
    if (this.closed || !isConfigFile(relative)) return;
    this.dirty.add(relative);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.queue = this.queue.then(() => this.applyDirty());
    }, this.debounceMs);
  }

  private async loadAll(): Promise<DirectoryUpdate> {
    const files = await listConfigFiles(this.directory);
    const loaded = await loadConfigFiles(this.directory, files);
    const batch = new Map<string, readonly ConfigObject[]>();
    for (const file of files) {
      const result = loaded.get(file);
      if (!result) continue;
      batch.set(file, result.objects);
      this.fileErrors.set(file, result.errors);
    }
    const changes = this.store.update(batch);
    const update: DirectoryUpdate = { changes, errors: this.errors() };
    this.report(files);
    return update;
  }

  private async applyDirty(): Promise<void> {
    if (this.closed || this.dirty.size === 0) return;
    const files = [...this.dirty].sort();
    this.dirty.clear();
    const errorsBefore = this.errors().map(formatConfigError).join('\n');
    const loaded = await loadConfigFiles(this.directory, files);
    if (this.closed) return;
    const batch = new Map<string, readonly ConfigObject[] | null>();
    for (const file of files) {
      const result = loaded.get(file) ?? null;
      if (result === null) {
        if (!this.store.hasOrigin(file) && !this.fileErrors.has(file)) continue;
        batch.set(file, null);
        this.fileErrors.delete(file);
      } else {
        batch.set(file, result.objects);
        this.fileErrors.set(file, result.errors);
      }
    }
    const changes = this.store.update(batch);
    this.report(files);
    const errors = this.errors();
    if (isEmptyChangeSet(changes) && errors.map(formatConfigError).join('\n') === errorsBefore) return;
    this.options.onUpdate?.({ changes, errors });
  }

  /** Reports the errors of the files just read, and conflicts not reported before. */
  private report(files: readonly string[]): void {
    const onError = this.options.onError;
    const conflicts = this.store.conflicts();
    const conflictMessages = new Set(conflicts.map(formatConfigError));
    if (onError) {
      const reread = new Set(files);
      for (const file of files) for (const error of this.fileErrors.get(file) ?? []) onError(error);
      for (const conflict of conflicts) {
        const hash = conflict.source.indexOf('#');
        const sourceFile = hash >= 0 ? conflict.source.slice(0, hash) : conflict.source;
        if (reread.has(sourceFile) || !this.reportedConflicts.has(formatConfigError(conflict))) onError(conflict);
      }
    }
    this.reportedConflicts = conflictMessages;
  }
}

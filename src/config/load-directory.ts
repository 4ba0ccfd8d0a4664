/**
 * A config directory read once, without watching (`tsiod analyze -f`): the
 * same files, parsing, validation and duplicate rules as the directory
 * source's initial load.
 */
import type { ConfigError } from './config-error.js';
import type { ConfigObject } from './config-object.js';
import { listConfigFiles, loadConfigFiles } from './directory-files.js';
import { ConfigStore } from './store.js';

export interface LoadedDirectory {
  /** The config files read, relative to the directory, sorted. */
  readonly files: readonly string[];
  readonly store: ConfigStore;
  /** Documents and objects left out, file by file in sorted order. */
  readonly errors: readonly ConfigError[];
  /** Definitions of a key that an earlier file (or document) already defined. */
  readonly conflicts: readonly ConfigError[];
}

export async function loadDirectory(directory: string): Promise<LoadedDirectory> {
  const files = await listConfigFiles(directory);
  const loaded = await loadConfigFiles(directory, files);
  const batch = new Map<string, readonly ConfigObject[]>();
  const errors: ConfigError[] = [];
  for (const file of files) {
    const result = loaded.get(file);
    if (!result) continue;
    batch.set(file, result.objects);
    errors.push(...result.errors);
  }
  const store = new ConfigStore();
  store.update(batch);
  return { files, store, errors, conflicts: store.conflicts() };
}

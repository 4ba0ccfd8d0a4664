/** What serve.ts needs of a config source, whichever feeds the store: a directory or the Kubernetes API. */
import type { ChangeSet } from './change-set.js';
import type { ConfigError } from './config-error.js';
import type { ConfigStore } from './store.js';

export interface SourceUpdate {
  readonly changes: ChangeSet;
  /** Every current error of the source: documents or objects left out, duplicate keys. */
  readonly errors: readonly ConfigError[];
}

export interface ConfigSource {
  readonly store: ConfigStore;
  /** Loads everything once and resolves with it all as added; later changes go to the source's onUpdate. */
  start(): Promise<SourceUpdate>;
  /** True once the source holds all it should serve (a Kubernetes kind still listing makes it false). */
  synced(): boolean;
  close(): Promise<void>;
}

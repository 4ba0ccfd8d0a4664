/**
 * Collects validation errors for one object; each carries the object's
 * identity so it can be printed on its own.
 */
import type { ConfigError } from '../config-error.js';
import type { ConfigObject } from '../config-object.js';

export class ErrorList {
  private readonly errors: ConfigError[] = [];

  constructor(private readonly object: ConfigObject) {}

  add(path: string, message: string): void {
    const { kind, source, metadata } = this.object;
    this.errors.push({ source, kind, namespace: metadata.namespace, name: metadata.name, path, message });
  }

  list(): readonly ConfigError[] {
    return this.errors;
  }
}

/** A validator reads the raw object and lists everything wrong with it; empty means valid. */
export type ObjectValidator = (object: ConfigObject) => readonly ConfigError[];

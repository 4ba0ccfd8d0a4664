/**
 * What one kind's informer knows: every object the apiserver last showed it,
 * by key, converted once per resourceVersion. Applying a list, a watch event
 * or a removal yields the delta to feed the store; a full list also removes
 * every key it no longer holds, so deletes missed while disconnected surface.
 */
import type { ConfigError } from '../config-error.js';
import type { ConfigKey, ConfigObject } from '../config-object.js';
import type { KubeKind } from './kind-table.js';
import { identityOf, toConfigObject } from './to-config-object.js';

export interface DeltaEntry {
  /** The object to serve, or null: deleted, or invalid (then `errors` says why). */
  readonly object: ConfigObject | null;
  readonly errors: readonly ConfigError[];
}

/** Net changes by key; a later change of the same key replaces the earlier one. */
export type KindDelta = Map<ConfigKey, DeltaEntry>;


export class KindCache {
  /** Key → the resourceVersion last converted. */
  private readonly entries = new Map<ConfigKey, string>();

  constructor(readonly kind: KubeKind) {}

  get size(): number {
    return this.entries.size;
  }

  /** ADDED or MODIFIED: converts unless this resourceVersion was already seen. Returns false for an object without a name. */
  upsert(raw: unknown, delta: KindDelta): boolean {
    const identity = identityOf(this.kind, raw);
    if (!identity) return false;
    const known = this.entries.get(identity.key);
    if (known !== undefined && identity.resourceVersion !== '' && known === identity.resourceVersion) return true;
    const conversion = toConfigObject(this.kind, raw);
    this.entries.set(identity.key, identity.resourceVersion);
    delta.set(identity.key, conversion.object ? { object: conversion.object, errors: [] } : { object: null, errors: conversion.errors });
    return true;
  }

  /** DELETED. Returns false for an object without a name. */
  remove(raw: unknown, delta: KindDelta): boolean {
    const identity = identityOf(this.kind, raw);
    if (!identity) return false;
    this.removeKey(identity.key, delta);
    return true;
  }

  /** A complete list: upserts every item and removes every key the list does not hold. Returns how many items had no name. */
  replaceAll(items: readonly unknown[], delta: KindDelta): number {
    const listed = new Set<ConfigKey>();
    let unnamed = 0;
    for (const item of items) {
      const identity = identityOf(this.kind, item);
      if (!identity) {
        unnamed += 1;
        continue;
      }
      listed.add(identity.key);
      this.upsert(item, delta);
    }
    for (const key of [...this.entries.keys()]) if (!listed.has(key)) this.removeKey(key, delta);
    return unnamed;
  }

  /** Forgets everything (the kind stopped being served). */
  clear(delta: KindDelta): void {
    for (const key of [...this.entries.keys()]) this.removeKey(key, delta);
  }

  private removeKey(key: ConfigKey, delta: KindDelta): void {
    if (!this.entries.delete(key)) return;
    delta.set(key, { object: null, errors: [] });
  }
}

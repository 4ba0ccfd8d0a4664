/**
 * Config objects grouped by kind and namespace, so the snapshot builder can
 * re-read one kind (or one kind in one namespace) after a change without
 * walking every object in the mesh.
 */
import type { ConfigObject } from './config-object.js';

export interface ObjectsByKind {
  /** Every object of a kind, in no particular order. */
  ofKind(kind: string): Iterable<ConfigObject>;
  /** Objects of a kind in one namespace ("" for cluster-scoped kinds). */
  ofKindInNamespace(kind: string, namespace: string): Iterable<ConfigObject>;
}

/** A mutable kind → namespace → objects index; the store keeps one in step with what is visible. */
export class KindNamespaceIndex implements ObjectsByKind {
  private readonly kinds = new Map<string, Map<string, Map<string, ConfigObject>>>();

  set(key: string, object: ConfigObject): void {
    let namespaces = this.kinds.get(object.kind);
    if (!namespaces) this.kinds.set(object.kind, (namespaces = new Map()));
    let objects = namespaces.get(object.metadata.namespace);
    if (!objects) namespaces.set(object.metadata.namespace, (objects = new Map()));
    objects.set(key, object);
  }

  delete(key: string, object: ConfigObject): void {
    const namespaces = this.kinds.get(object.kind);
    const objects = namespaces?.get(object.metadata.namespace);
    if (!namespaces || !objects) return;
    objects.delete(key);
    if (objects.size === 0) namespaces.delete(object.metadata.namespace);
    if (namespaces.size === 0) this.kinds.delete(object.kind);
  }

  *ofKind(kind: string): Iterable<ConfigObject> {
    for (const objects of this.kinds.get(kind)?.values() ?? []) yield* objects.values();
  }

  ofKindInNamespace(kind: string, namespace: string): Iterable<ConfigObject> {
    return this.kinds.get(kind)?.get(namespace)?.values() ?? [];
  }
}

/** Groups a plain list (tests, offline analysis) the way the store does. */
export function groupObjectsByKind(objects: Iterable<ConfigObject>): ObjectsByKind {
  const index = new KindNamespaceIndex();
  for (const object of objects) index.set(`${object.kind}/${object.metadata.namespace}/${object.metadata.name}`, object);
  return index;
}

/** Loads examples/bookinfo as the directory source would, for model tests. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigObject } from '../../src/config/config-object.js';
import { loadConfigText } from '../../src/config/load-config-text.js';

export const BOOKINFO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/bookinfo');

export function bookinfoObjects(): ConfigObject[] {
  const objects: ConfigObject[] = [];
  for (const file of readdirSync(BOOKINFO_DIR).filter((f) => f.endsWith('.yaml')).sort()) {
    const loaded = loadConfigText(file, readFileSync(path.join(BOOKINFO_DIR, file), 'utf8'));
    if (loaded.errors.length > 0) throw new Error(`examples/bookinfo/${file}: ${JSON.stringify(loaded.errors)}`);
    objects.push(...loaded.objects);
  }
  return objects;
}

/** Replaces objects (same key) with the loaded variants of every document in `yaml`, or adds them. */
export function withObject(objects: readonly ConfigObject[], yaml: string, file = 'edit.yaml'): ConfigObject[] {
  const loaded = loadConfigText(file, yaml);
  if (loaded.errors.length > 0) throw new Error(JSON.stringify(loaded.errors));
  if (loaded.objects.length === 0) throw new Error('no object in yaml');
  const key = (o: ConfigObject): string => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
  const replaced = new Set(loaded.objects.map(key));
  return [...objects.filter((o) => !replaced.has(key(o))), ...loaded.objects];
}

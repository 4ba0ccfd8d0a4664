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

/** Replaces one object (same key) with a loaded variant, or adds it. */
export function withObject(objects: readonly ConfigObject[], yaml: string, file = 'edit.yaml'): ConfigObject[] {
  const loaded = loadConfigText(file, yaml);
  if (loaded.errors.length > 0) throw new Error(JSON.stringify(loaded.errors));
  const [replacement] = loaded.objects;
  if (!replacement) throw new Error('no object in yaml');
  const same = (o: ConfigObject): boolean =>
    o.kind === replacement.kind && o.metadata.namespace === replacement.metadata.namespace && o.metadata.name === replacement.metadata.name;
  return [...objects.filter((o) => !same(o)), replacement];
}

/**
 * A seed example as a user applies it: the YAML of one or more fixture
 * directories (the application, then the example's Istio objects), read,
 * validated and stored by tsiod's own config pipeline, and turned into the
 * snapshot the generators see. Any document the pipeline refuses fails the
 * test: the example must be valid as written.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigObject } from '../../../../src/config/config-object.js';
import { listConfigFiles, loadConfigFiles } from '../../../../src/config/directory-files.js';
import { ConfigStore } from '../../../../src/config/store.js';
import { buildSnapshot } from '../../../../src/model/build-snapshot.js';
import { DEFAULT_MESH_CONFIG, type MeshSnapshot } from '../../../../src/model/types.js';

export const SEED_FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/seed-examples');

export async function loadSeedExample(...directories: readonly string[]): Promise<MeshSnapshot> {
  const batch = new Map<string, readonly ConfigObject[]>();
  const problems: string[] = [];
  for (const directory of directories) {
    const root = path.join(SEED_FIXTURES, directory);
    const files = await listConfigFiles(root);
    if (files.length === 0) throw new Error(`no config files in ${root}`);
    for (const [file, loaded] of await loadConfigFiles(root, files)) {
      if (!loaded) continue;
      for (const error of loaded.errors) problems.push(`${directory}/${error.source}: ${error.message}`);
      batch.set(`${directory}/${file}`, loaded.objects);
    }
  }
  const store = new ConfigStore();
  store.update(batch);
  for (const conflict of store.conflicts()) problems.push(`${conflict.source}: ${conflict.message}`);
  if (problems.length > 0) throw new Error(`the example's config was refused:\n${problems.join('\n')}`);
  return buildSnapshot({ mesh: DEFAULT_MESH_CONFIG, objects: store.byKind() });
}

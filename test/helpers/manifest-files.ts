/** Writes Kubernetes/Istio objects as one YAML file each, for tsiod's directory source in tests. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';

export type Manifest = Record<string, unknown>;

/** `<kind>-<name>.yaml` per object in `dir` (created if missing); rewriting one is a change the source sees. */
export async function writeManifests(dir: string, manifests: readonly Manifest[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const m of manifests) {
    const metadata = m['metadata'] as { name: string };
    await writeFile(path.join(dir, `${String(m['kind']).toLowerCase()}-${metadata.name}.yaml`), stringify(m));
  }
}

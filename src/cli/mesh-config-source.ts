/**
 * Where `tsiod serve` gets its mesh config: a file (`--mesh-config`, as
 * istiod's --meshConfig; it then wins over the ConfigMap), or the ConfigMap
 * `istio` in the system namespace, read from the store whichever source
 * feeds it (a cluster watch, or a ConfigMap document in the directory).
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { formatConfigError } from '../config/config-error.js';
import type { ConfigKey, ConfigObject } from '../config/config-object.js';
import { MeshConfigTracker, parseMeshConfig } from '../model/mesh-config.js';
import type { MeshConfig } from '../model/types.js';

export interface MeshConfigSource {
  /** The mesh config to build the next snapshot with (the same object until it changes). */
  current(objects: ReadonlyMap<ConfigKey, ConfigObject>): MeshConfig;
}

/** Reads `--mesh-config` once, or tracks the ConfigMap; a file that cannot be read or parsed is a start-up error. */
export function createMeshConfigSource(options: { base: MeshConfig; systemNamespace: string; meshConfigFile?: string | undefined }, logger: Logger): MeshConfigSource {
  const file = options.meshConfigFile;
  if (file === undefined) return new MeshConfigTracker({ base: options.base, systemNamespace: options.systemNamespace, logger });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`--mesh-config ${file}: cannot read it: ${error instanceof Error ? error.message : String(error)}`);
  }
  const result = parseMeshConfig(text, options.base, { source: file });
  if (result.errors) throw new Error(`--mesh-config ${file}: ${result.errors.map(formatConfigError).join('; ')}`);
  if (result.ignored.length > 0) logger.debug({ file, fields: result.ignored }, `mesh config: fields tsiod does not read yet, ignored: ${result.ignored.join(', ')}`);
  logger.info({ file, mesh: result.mesh }, 'mesh config read from file; the istio ConfigMap is not read');
  const mesh = result.mesh;
  return { current: () => mesh };
}

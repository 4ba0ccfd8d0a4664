/**
 * Where `tsiod serve` gets its mesh config: a file (`--mesh-config`, as
 * istiod's --meshConfig; it then wins over the ConfigMap), or the ConfigMap
 * `istio` in the system namespace, read from the store whichever source
 * feeds it (a cluster watch, or a ConfigMap document in the directory).
 */
import { watch } from 'chokidar';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { formatConfigError } from '../config/config-error.js';
import { deepEqual } from '../config/deep-equal.js';
import type { ConfigKey, ConfigObject } from '../config/config-object.js';
import { MeshConfigTracker, parseMeshConfig } from '../model/mesh-config.js';
import type { MeshConfig } from '../model/types.js';

export interface MeshConfigSource {
  /** The mesh config to build the next snapshot with (the same object until it changes). */
  current(objects: ReadonlyMap<ConfigKey, ConfigObject>): MeshConfig;
  close(): Promise<void>;
}

export interface MeshConfigSourceOptions {
  readonly base: MeshConfig;
  readonly systemNamespace: string;
  /** `istio`, or `istio-<revision>`. */
  readonly configMapName?: string;
  readonly meshConfigFile?: string | undefined;
  /** Called when the file changed to a valid new config (the ConfigMap's changes arrive as store changes). */
  readonly onFileChange?: () => void;
}

/**
 * Reads `--mesh-config` and watches it (an edit is applied like a ConfigMap
 * edit; one that cannot be read or parsed is logged and the previous config
 * stays), or tracks the ConfigMap. A file unusable at start-up is an error.
 */
export function createMeshConfigSource(options: MeshConfigSourceOptions, logger: Logger): MeshConfigSource {
  const file = options.meshConfigFile;
  if (file === undefined) {
    const tracker = new MeshConfigTracker({ base: options.base, systemNamespace: options.systemNamespace, ...(options.configMapName ? { configMapName: options.configMapName } : {}), logger });
    return { current: (objects) => tracker.current(objects), close: async () => undefined };
  }
  const read = (): MeshConfig => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`--mesh-config ${file}: cannot read it: ${error instanceof Error ? error.message : String(error)}`);
    }
    const result = parseMeshConfig(text, options.base, { source: file });
    if (result.errors) throw new Error(`--mesh-config ${file}: ${result.errors.map(formatConfigError).join('; ')}`);
    if (result.ignored.length > 0) logger.debug({ file, fields: result.ignored }, `mesh config: fields tsiod does not read yet, ignored: ${result.ignored.join(', ')}`);
    return result.mesh;
  };
  let mesh = read();
  logger.info({ file, mesh }, 'mesh config read from file; the istio ConfigMap is not read');
  // Kubernetes updates a mounted ConfigMap by swapping a symlink; polling the path sees that as a change too.
  const watcher = watch(file, { ignoreInitial: true, usePolling: true, interval: 200 });
  const reread = (): void => {
    try {
      const next = read();
      if (deepEqual(next, mesh)) return;
      mesh = next;
      logger.info({ file, mesh }, 'mesh config file changed');
      options.onFileChange?.();
    } catch (error) {
      logger.error({ file }, `mesh config: ${error instanceof Error ? error.message : String(error)}; keeping the previous mesh config`);
    }
  };
  watcher.on('change', reread).on('add', reread);
  return { current: () => mesh, close: () => watcher.close() };
}

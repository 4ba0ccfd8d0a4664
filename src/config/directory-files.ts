/**
 * Which files of a config directory hold config, and reading them. Paths
 * are relative to the directory with "/" separators, as shown in sources.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { loadConfigText, type LoadedFile } from './load-config-text.js';

const CONFIG_EXTENSIONS = ['.yaml', '.yml', '.json'];

/**
 * Config files end in .yaml, .yml or .json. Anything under a dot-name is
 * skipped: editors' swap and backup files, .git, and Kubernetes ConfigMap
 * volumes' "..data" directories (their files are also linked at the top).
 */
export function isConfigFile(relativePath: string): boolean {
  const parts = relativePath.split('/');
  if (parts.some((part) => part.startsWith('.'))) return false;
  const lower = relativePath.toLowerCase();
  return CONFIG_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

export function toRelative(directory: string, absolutePath: string): string {
  return path.relative(directory, absolutePath).split(path.sep).join('/');
}

/** Every config file under `directory`, recursively, sorted (the order that decides which duplicate wins). */
export async function listConfigFiles(directory: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relativeDir: string): Promise<void> => {
    const entries = await readdir(path.join(directory, relativeDir), { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await stat(path.join(directory, relative)).catch(() => undefined);
        isDirectory = target?.isDirectory() ?? false;
        isFile = target?.isFile() ?? false;
      }
      if (isDirectory) await walk(relative);
      else if (isFile && isConfigFile(relative)) found.push(relative);
    }
  };
  await walk('');
  return found.sort();
}

/** The file's objects and errors, or null when it no longer exists (deleted, or renamed away). */
export async function loadConfigFile(directory: string, relativePath: string): Promise<LoadedFile | null> {
  let text: string;
  try {
    text = await readFile(path.join(directory, ...relativePath.split('/')), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return null;
    const reason = error instanceof Error ? error.message : String(error);
    return { objects: [], errors: [{ source: relativePath, message: `cannot read the file: ${reason}` }] };
  }
  return loadConfigText(relativePath, text);
}

/** Reading 1,000 files all at once would hold 1,000 descriptors; this many at a time is as fast. */
const READ_CONCURRENCY = 32;

/** loadConfigFile for each file, a bounded number at a time; null for a file that no longer exists. */
export async function loadConfigFiles(directory: string, files: readonly string[]): Promise<Map<string, LoadedFile | null>> {
  const results = new Map<string, LoadedFile | null>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++] as string;
      results.set(file, await loadConfigFile(directory, file));
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, worker));
  return results;
}

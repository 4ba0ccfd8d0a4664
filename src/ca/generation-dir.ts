/**
 * A directory of files replaced together, atomically, with a compare-and-swap:
 * how file mode keeps its self-signed CA through a root rotation.
 *
 * `<path>` is a symbolic link to a sibling `<name>.g<N>` that holds generation
 * N's files; a generation is never changed once linked. A writer claims
 * generation N+1 by creating its directory (mkdir fails if another writer
 * claimed it: that is the compare-and-swap), writes the files there, and
 * renames a new link over `<path>`. Readers resolve the link once and read one
 * generation's files, never a mix. The generation before the current one is
 * kept for readers still on it; older ones are removed.
 *
 * A plain directory at `<path>` (made by hand) is generation 0: it is read
 * as is, and its first replacement moves it aside to `<name>.g0`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, readFile, readlink, rename, rm, rmdir, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface GenerationFile {
  readonly name: string;
  readonly content: string;
  readonly mode: number;
}

export interface Generation {
  /** The directory holding this generation's files. */
  readonly dir: string;
  readonly generation: number;
  /** `<generation>:<SHA-256 of the files>`: a hand edit of a plain directory changes it too. */
  readonly version: string;
}

/** A claimed generation directory with no link to it for this long was left by a writer that died. */
const ABANDONED_AFTER_MS = 60_000;
/** How long a writer that lost the claim waits for the winner's link to appear. */
const WRITER_WAIT_MS = 10_000;

export class GenerationDir {
  readonly #path: string;
  readonly #name: string;
  readonly #parent: string;

  constructor(dirPath: string) {
    this.#path = path.resolve(dirPath);
    this.#name = path.basename(this.#path);
    this.#parent = path.dirname(this.#path);
  }

  get path(): string {
    return this.#path;
  }

  /** The generation in place; undefined when there is nothing at the path. */
  async current(): Promise<Generation | undefined> {
    let info;
    try {
      info = await lstat(this.#path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    if (info.isDirectory()) return { dir: this.#path, generation: 0, version: `0:${await contentHash(this.#path)}` };
    if (!info.isSymbolicLink()) throw new Error(`${this.#path} is neither a directory nor a link to one`);
    const target = await readlink(this.#path);
    const generation = this.#generationOf(target);
    if (generation === undefined) throw new Error(`${this.#path} links to ${target}, which is not one of its generations (${this.#name}.g<N>)`);
    const dir = this.#generationDir(generation);
    return { dir, generation, version: `${generation}:${await contentHash(dir)}` };
  }

  /**
   * Writes `files` as generation 1 unless something is at the path already.
   * Returns 'exists' then (whoever made it; the caller reads it), also when a
   * concurrent creator got there first.
   */
  async create(files: readonly GenerationFile[]): Promise<'created' | 'exists'> {
    await mkdir(this.#parent, { recursive: true, mode: 0o700 });
    if (await this.#occupied()) return 'exists';
    const dir = this.#generationDir(1);
    if (!(await this.#claim(dir))) {
      // Another creator claimed generation 1: wait for its link.
      if (await this.#waitForChange(undefined)) return 'exists';
      throw new Error(`another writer has been creating ${this.#path} for ${WRITER_WAIT_MS} ms without finishing; see ${dir}`);
    }
    await writeFiles(dir, files);
    try {
      await symlink(path.basename(dir), this.#path);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
      throw err;
    }
    return 'created';
  }

  /** Writes `files` as the next generation if the current version is still `expectedVersion`; undefined when it is not. */
  async replace(files: readonly GenerationFile[], expectedVersion: string): Promise<Generation | undefined> {
    const current = await this.current();
    if (current === undefined) throw new Error(`${this.#path} does not exist: nothing to replace`);
    if (current.version !== expectedVersion) return undefined;
    const next = current.generation + 1;
    const dir = this.#generationDir(next);
    if (!(await this.#claim(dir))) {
      // Another writer is replacing this generation: the caller reads next what it wrote.
      await this.#waitForChange(expectedVersion);
      return undefined;
    }
    try {
      // Claimed: no one else can move past `current` now, but someone may have before the claim.
      if ((await this.current())?.version !== expectedVersion) {
        await rm(dir, { recursive: true, force: true });
        return undefined;
      }
      await writeFiles(dir, files);
      if (current.generation === 0) {
        // A plain directory cannot be swapped for a link in one step: it is moved aside first.
        await rename(this.#path, this.#generationDir(0));
        await symlink(path.basename(dir), this.#path);
      } else {
        const link = path.join(this.#parent, `.${this.#name}.link-${randomBytes(6).toString('hex')}`);
        await symlink(path.basename(dir), link);
        await rename(link, this.#path);
      }
    } catch (err) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
    await this.#removeGenerationsBefore(next - 1);
    return { dir, generation: next, version: `${next}:${await contentHash(dir)}` };
  }

  /** Waits (a little) until the version in place is no longer `version` (undefined: nothing in place); whether it changed. */
  async #waitForChange(version: string | undefined): Promise<boolean> {
    const deadline = Date.now() + WRITER_WAIT_MS;
    while (Date.now() < deadline) {
      if ((await this.current())?.version !== version) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }

  #generationDir(generation: number): string {
    return path.join(this.#parent, `${this.#name}.g${generation}`);
  }

  #generationOf(entry: string): number | undefined {
    const prefix = `${this.#name}.g`;
    if (!entry.startsWith(prefix) || !/^\d+$/.test(entry.slice(prefix.length))) return undefined;
    return Number(entry.slice(prefix.length));
  }

  /** Something is at the path. An empty plain directory is removed instead, so the link can take its place. */
  async #occupied(): Promise<boolean> {
    try {
      const info = await lstat(this.#path);
      if (info.isDirectory() && (await readdir(this.#path)).length === 0) {
        await rmdir(this.#path).catch(() => undefined);
        return false;
      }
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** Creates a generation's directory; false when it exists already (claimed), unless it was abandoned (then it is retaken). */
  async #claim(dir: string): Promise<boolean> {
    try {
      await mkdir(dir, { mode: 0o700 });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const linked = (await this.current())?.dir === dir;
    const age = Date.now() - (await stat(dir)).mtimeMs;
    if (linked || age < ABANDONED_AFTER_MS) return false;
    await rm(dir, { recursive: true, force: true });
    try {
      await mkdir(dir, { mode: 0o700 });
      return true;
    } catch {
      return false;
    }
  }

  async #removeGenerationsBefore(keepFrom: number): Promise<void> {
    const entries = await readdir(this.#parent).catch(() => [] as string[]);
    for (const entry of entries) {
      const generation = this.#generationOf(entry);
      if (generation !== undefined && generation < keepFrom) await rm(path.join(this.#parent, entry), { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

async function writeFiles(dir: string, files: readonly GenerationFile[]): Promise<void> {
  for (const file of files) {
    const target = path.join(dir, file.name);
    await writeFile(target, file.content, { mode: file.mode, flag: 'wx' });
    // writeFile's mode is reduced by the umask; a key's must be exactly 0600.
    await chmod(target, file.mode);
  }
}

/** SHA-256 over the names and contents of the directory's files, in name order. */
async function contentHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  for (const name of names) {
    hash.update(name).update('\0');
    hash.update(await readFile(path.join(dir, name))).update('\0');
  }
  return hash.digest('hex');
}

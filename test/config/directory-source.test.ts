import { mkdtemp, rename, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatConfigError, type ConfigError } from '../../src/config/config-error.js';
import { DirectorySource, type DirectoryUpdate } from '../../src/config/directory-source.js';

const service = (name: string, port = 80): string => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {ports: [{port: ${port}}]}\n`;

/** Polls until `predicate` holds, failing after `timeoutMs`: file watching has no completion signal. */
async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the directory source');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('DirectorySource', () => {
  let dir: string;
  let source: DirectorySource | undefined;
  let updates: DirectoryUpdate[];
  let reported: string[];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tsiod-dir-'));
    updates = [];
    reported = [];
  });

  afterEach(async () => {
    await source?.close();
    source = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function start(): Promise<DirectoryUpdate> {
    source = new DirectorySource({
      directory: dir,
      debounceMs: 20,
      onUpdate: (update) => updates.push(update),
      onError: (error: ConfigError) => reported.push(formatConfigError(error)),
    });
    return source.start();
  }

  it('loads the directory recursively (yaml, yml, json) and skips other and hidden files', async () => {
    await mkdir(path.join(dir, 'nested', 'deeper'), { recursive: true });
    await writeFile(path.join(dir, 'a.yaml'), service('a'));
    await writeFile(path.join(dir, 'nested', 'b.yml'), service('b'));
    await writeFile(path.join(dir, 'nested', 'deeper', 'c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'c' }, spec: {} }));
    await writeFile(path.join(dir, 'notes.txt'), 'not config');
    await writeFile(path.join(dir, '.a.yaml.swp'), 'junk');
    const initial = await start();
    expect([...initial.changes.added].sort()).toEqual(['Service/default/a', 'Service/default/b', 'Service/default/c']);
    expect(source!.store.get('Service/default/c')?.source).toBe('nested/deeper/c.json#1');
    expect(initial.errors).toEqual([]);
  });

  it('reports errors at start-up once each, and serves the rest', async () => {
    await writeFile(path.join(dir, 'a.yaml'), `${service('a')}---\nkind: [`);
    const initial = await start();
    expect([...initial.changes.added]).toEqual(['Service/default/a']);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatch(/^a\.yaml#2: document 2 is not valid YAML/);
    expect(initial.errors).toHaveLength(1);
  });

  it('applies an edit, an editor-style rename and a delete as change sets', async () => {
    await writeFile(path.join(dir, 'a.yaml'), service('a'));
    await start();

    await writeFile(path.join(dir, 'a.yaml'), service('a', 81));
    await waitFor(() => updates.length >= 1);
    expect([...updates[0]!.changes.updated]).toEqual(['Service/default/a']);

    // Editors write a temporary file and rename it over the original.
    await writeFile(path.join(dir, 'b.yaml.tmp'), service('b'));
    await rename(path.join(dir, 'b.yaml.tmp'), path.join(dir, 'b.yaml'));
    await waitFor(() => updates.length >= 2);
    expect([...updates[1]!.changes.added]).toEqual(['Service/default/b']);

    await rm(path.join(dir, 'a.yaml'));
    await waitFor(() => updates.length >= 3);
    expect([...updates[2]!.changes.removed]).toEqual(['Service/default/a']);
    expect([...updates[2]!.changes.kinds]).toEqual(['Service']);
    expect(source!.store.size).toBe(1);
  });

  it('does not emit when a rewrite changes nothing', async () => {
    await writeFile(path.join(dir, 'a.yaml'), service('a'));
    await writeFile(path.join(dir, 'b.yaml'), service('b'));
    await start();
    await writeFile(path.join(dir, 'a.yaml'), `# same object, new comment\n${service('a')}`);
    await writeFile(path.join(dir, 'b.yaml'), service('b', 82));
    await waitFor(() => updates.length >= 1);
    await source!.idle();
    expect(updates).toHaveLength(1);
    expect([...updates[0]!.changes.updated]).toEqual(['Service/default/b']);
  });

  it('reports a new error once, when its file changes, and not again for other files', async () => {
    await writeFile(path.join(dir, 'a.yaml'), service('a'));
    await writeFile(path.join(dir, 'b.yaml'), service('b'));
    await start();
    await writeFile(path.join(dir, 'a.yaml'), service('a', 0));
    await waitFor(() => updates.length >= 1);
    expect(reported).toEqual(['a.yaml#1 Service default/a: spec.ports[0].port: port 0 must be between 1 and 65535']);
    expect([...updates[0]!.changes.removed]).toEqual(['Service/default/a']);
    expect(updates[0]!.errors).toHaveLength(1);

    await writeFile(path.join(dir, 'b.yaml'), service('b', 81));
    await waitFor(() => updates.length >= 2);
    expect(reported).toHaveLength(1);
    expect(updates[1]!.errors).toHaveLength(1);
  });

  it('reports a duplicate key on the later file, and lets it take over when the first is deleted', async () => {
    await writeFile(path.join(dir, 'a.yaml'), service('s', 80));
    await start();
    await writeFile(path.join(dir, 'b.yaml'), service('s', 90));
    await waitFor(() => reported.length >= 1);
    expect(reported).toEqual(['b.yaml#1 Service default/s: Service/default/s is already defined in a.yaml#1; this definition is ignored']);
    await rm(path.join(dir, 'a.yaml'));
    await waitFor(() => updates.some((u) => u.changes.updated.has('Service/default/s')));
    expect(source!.store.get('Service/default/s')?.source).toBe('b.yaml#1');
  });

  it('rejects start() for a directory that does not exist', async () => {
    source = new DirectorySource({ directory: path.join(dir, 'missing') });
    await expect(source.start()).rejects.toThrow(/ENOENT/);
  });

  it('stops watching on close', async () => {
    await start();
    await source!.close();
    await writeFile(path.join(dir, 'a.yaml'), service('a'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(updates).toEqual([]);
  });
});

/** Directory mode: the mesh config from a ConfigMap document in the directory (hot-reloaded), or from --mesh-config. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startTsiod, type RunningTsiod } from '../../src/cli/serve.js';
import { DEFAULT_MESH_CONFIG } from '../../src/model/types.js';

const configMap = (mesh: string, namespace = 'istio-system'): string =>
  ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: istio', `  namespace: ${namespace}`, 'data:', '  mesh: |', ...mesh.split('\n').map((l) => `    ${l}`)].join('\n');

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('serve: the mesh config in directory mode', () => {
  let dir: string | undefined;
  let tsiod: RunningTsiod | undefined;
  afterEach(async () => {
    await tsiod?.close();
    tsiod = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const start = async (extra: { systemNamespace?: string; meshConfigFile?: string; revision?: string } = {}): Promise<RunningTsiod> => {
    tsiod = await startTsiod({ configDir: dir!, host: '127.0.0.1', xdsPort: 0, monitoringPort: null, debounceAfterMs: 10, logger: pino({ level: 'silent' }), ...extra });
    return tsiod;
  };

  it('reads ConfigMap istio of the system namespace and follows its edits', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-mesh-'));
    await writeFile(path.join(dir, 'mesh.yaml'), configMap('trustDomain: dir.example\noutboundTrafficPolicy:\n  mode: REGISTRY_ONLY'));
    const running = await start();
    expect(running.snapshot().mesh).toEqual({ ...DEFAULT_MESH_CONFIG, trustDomain: 'dir.example', outboundTrafficPolicy: 'REGISTRY_ONLY' });
    await writeFile(path.join(dir, 'mesh.yaml'), configMap('trustDomain: edited.example'));
    await until(() => running.snapshot().mesh.trustDomain === 'edited.example');
    expect(running.snapshot().mesh.outboundTrafficPolicy).toBe('ALLOW_ANY');
  });

  it('honours --system-namespace', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-mesh-'));
    await writeFile(path.join(dir, 'mesh.yaml'), configMap('trustDomain: ns.example', 'mesh-system'));
    expect((await start()).snapshot().mesh).toEqual(DEFAULT_MESH_CONFIG);
    await tsiod!.close();
    expect((await start({ systemNamespace: 'mesh-system' })).snapshot().mesh.trustDomain).toBe('ns.example');
  });

  it('reads --mesh-config instead of the ConfigMap, and refuses to start on an invalid one', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-mesh-'));
    const file = path.join(dir, 'mesh-config.txt');
    await writeFile(path.join(dir, 'mesh.yaml'), configMap('trustDomain: configmap.example'));
    await writeFile(file, 'trustDomain: file.example\n');
    expect((await start({ meshConfigFile: file })).snapshot().mesh.trustDomain).toBe('file.example');
    await tsiod!.close();
    tsiod = undefined;
    await writeFile(file, 'trustDomain: 7\n');
    await expect(start({ meshConfigFile: file })).rejects.toThrow(`--mesh-config ${file}: ${file}: trustDomain: must be a string (found number 7)`);
  });

  it('follows edits of --mesh-config, keeping the previous config through an invalid one', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-mesh-'));
    const file = path.join(dir, 'mesh-config.txt');
    await writeFile(file, 'trustDomain: first.example\n');
    const running = await start({ meshConfigFile: file });
    expect(running.snapshot().mesh.trustDomain).toBe('first.example');
    const before = running.snapshot().id;
    await writeFile(file, 'trustDomain: second.example\noutboundTrafficPolicy: {mode: REGISTRY_ONLY}\n');
    await until(() => running.snapshot().mesh.trustDomain === 'second.example');
    expect(running.snapshot().id).toBeGreaterThan(before);
    expect(running.snapshot().mesh.outboundTrafficPolicy).toBe('REGISTRY_ONLY');
    await writeFile(file, 'trustDomain: [not, a, string]\n');
    // The invalid edit is refused; the next valid one proves the watch is still live and nothing came in between.
    await writeFile(file, 'trustDomain: third.example\n');
    await until(() => running.snapshot().mesh.trustDomain === 'third.example');
  });

  it('reads ConfigMap istio-<revision> for a revision other than default, as a revisioned istiod does', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-mesh-'));
    await writeFile(path.join(dir, 'mesh.yaml'), configMap('trustDomain: default.example'));
    await writeFile(path.join(dir, 'mesh-canary.yaml'), configMap('trustDomain: canary.example').replace('name: istio', 'name: istio-canary'));
    expect((await start({ revision: 'canary' })).snapshot().mesh.trustDomain).toBe('canary.example');
    await tsiod!.close();
    tsiod = undefined;
    expect((await start({ revision: 'default' })).snapshot().mesh.trustDomain).toBe('default.example');
  });
});

/**
 * The generated mesh loads cleanly in tsiod's config pipeline, keeps every
 * address in loopback range, and an endpoint change rewrites exactly one file.
 * Run: node --import tsx --test bench/test/*.test.ts
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfigText } from '../../src/config/load-config-text.js';
import { applyEndpointChange, serviceForChange } from '../mesh/endpoint-change.js';
import { generateMesh } from '../mesh/generate-mesh.js';

function freshDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tsiod-bench-mesh-'));
}

function loadDir(dir: string): { kinds: Map<string, number>; errors: string[] } {
  const kinds = new Map<string, number>();
  const errors: string[] = [];
  for (const file of fs.readdirSync(dir)) {
    const loaded = loadConfigText(file, fs.readFileSync(path.join(dir, file), 'utf8'));
    errors.push(...loaded.errors.map((e) => `${e.source}: ${e.message}`));
    for (const o of loaded.objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
  }
  return { kinds, errors };
}

test('the mesh has the promised shape and loads without config errors', () => {
  const dir = freshDir();
  const { mesh } = generateMesh({ dir, services: 100, namespaces: 20 });
  const { kinds, errors } = loadDir(dir);
  assert.deepEqual(errors, []);
  assert.equal(kinds.get('Service'), 100);
  assert.equal(kinds.get('EndpointSlice'), 100);
  assert.equal(kinds.get('DestinationRule'), 10);
  assert.equal(kinds.get('VirtualService'), 10);
  assert.equal(kinds.get('Namespace'), 20);
  const pods = mesh.services.flatMap((s) => s.pods);
  assert.equal(kinds.get('Pod'), pods.length);
  assert.ok(mesh.services.every((s) => s.pods.length >= 2 && s.pods.length <= 3));
  assert.ok(mesh.services.some((s) => s.ports.some((p) => p.name === 'grpc')));
  assert.ok(mesh.services.some((s) => s.ports.some((p) => p.name.startsWith('tcp'))));
});

test('every IP address written is in 127.0.0.0/8', () => {
  const dir = freshDir();
  const { mesh, pods } = generateMesh({ dir, services: 300, namespaces: 5 });
  for (let n = 0; n < 10; n++) applyEndpointChange(mesh, pods, n);
  const ipLike = /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g;
  for (const file of fs.readdirSync(dir)) {
    for (const ip of fs.readFileSync(path.join(dir, file), 'utf8').match(ipLike) ?? []) {
      assert.ok(ip.startsWith('127.'), `${file}: ${ip}`);
    }
  }
});

test('an endpoint change rewrites one service file and leaves it valid', () => {
  const dir = freshDir();
  const { mesh, pods } = generateMesh({ dir, services: 50, namespaces: 3 });
  const before = new Map(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
  const change = applyEndpointChange(mesh, pods, 0);
  const changed = fs.readdirSync(dir).filter((f) => fs.readFileSync(path.join(dir, f), 'utf8') !== before.get(f));
  assert.deepEqual(changed, [path.basename(change.service.file)]);
  const reloaded = loadConfigText('x.yaml', fs.readFileSync(change.service.file, 'utf8'));
  assert.deepEqual(reloaded.errors, []);
  const slice = reloaded.objects.find((o) => o.kind === 'EndpointSlice');
  assert.ok(slice);
  assert.equal((slice.content['endpoints'] as unknown[]).length, change.service.pods.length);
});

test('endpoint changes leave Istio objects at the same document position (tsiod records file#document)', () => {
  const dir = freshDir();
  const { mesh, pods } = generateMesh({ dir, services: 20, namespaces: 2 });
  const split = mesh.services.find((s) => s.trafficSplit);
  assert.ok(split);
  const istioSources = (): string[] =>
    loadConfigText('f.yaml', fs.readFileSync(split.file, 'utf8'))
      .objects.filter((o) => o.kind === 'DestinationRule' || o.kind === 'VirtualService')
      .map((o) => `${o.kind} ${o.source}`);
  const before = istioSources();
  // Adding a pod is the change that adds a document to the file.
  let added = false;
  for (let n = 0; n < 200 && !added; n++) {
    if (serviceForChange(mesh, n) === split) added = applyEndpointChange(mesh, pods, n).kind === 'add';
  }
  assert.ok(added);
  assert.deepEqual(istioSources(), before);
});

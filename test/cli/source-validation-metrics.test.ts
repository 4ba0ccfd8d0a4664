/**
 * Objects read from a config directory are counted in istiod's webhook
 * metrics too: galley_validation_passed for each accepted object,
 * galley_validation_failed{reason} for each rejected one, labelled with the
 * kind's group, version and resource. The invalid VirtualService is left
 * out alone; the valid one is served.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startTsiod, type RunningTsiod } from '../../src/cli/serve.js';

const VS = { group: 'networking.istio.io', version: 'v1', resource: 'virtualservices' };

async function counter(tsiod: RunningTsiod, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await tsiod.metrics.getSingleMetric(name)?.get();
  const found = metric?.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value));
  return found?.value ?? 0;
}

describe('serve: galley_validation_* for directory objects', () => {
  let dir: string | undefined;
  let tsiod: RunningTsiod | undefined;
  afterEach(async () => {
    await tsiod?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('counts accepted and rejected objects by resource, and an undecodable document as yaml_decode_error', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-galley-'));
    const vs = (name: string, weight: number): string =>
      `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: ${name}}\nspec:\n  hosts: [${name}]\n  http: [{route: [{destination: {host: ${name}}, weight: ${weight}}]}]\n`;
    await writeFile(path.join(dir, 'good.yaml'), vs('good', 100));
    await writeFile(path.join(dir, 'bad.yaml'), vs('bad', 300));
    await writeFile(path.join(dir, 'broken.yaml'), 'kind: [unclosed\n');
    tsiod = await startTsiod({ configDir: dir, host: '127.0.0.1', xdsPort: 0, monitoringPort: null, debounceAfterMs: 10, logger: pino({ level: 'silent' }) });
    expect(tsiod.snapshot().virtualServices.map((v) => v.meta.name)).toEqual(['good']);
    expect(await counter(tsiod, 'galley_validation_passed', VS)).toBe(1);
    expect(await counter(tsiod, 'galley_validation_failed', { ...VS, reason: 'invalid_resource' })).toBe(1);
    expect(await counter(tsiod, 'galley_validation_failed', { reason: 'yaml_decode_error' })).toBe(1);
    // Each error is logged (and counted) once, not again by serve after the source's own report.
  });
});

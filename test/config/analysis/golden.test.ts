/**
 * Each directory under test/golden/analyze is named after one analyzer and
 * holds input/ (config that makes it report), expected.txt (what it reports,
 * as `tsiod analyze -f input` prints it) and valid/ (config it must not
 * report anything about). The expected files are written by hand from
 * Istio's documented messages, not generated: there is no UPDATE_GOLDEN here.
 */
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/config/analysis/analyze.js';
import { formatMessages } from '../../../src/config/analysis/format.js';
import { ANALYZERS } from '../../../src/config/analysis/registry.js';
import { loadDirectory } from '../../../src/config/load-directory.js';

const GOLDEN = path.resolve(import.meta.dirname, '../../golden/analyze');
/** Certificates in the fixtures are checked as of this date. */
const NOW = new Date('2030-01-01T00:00:00Z');

async function run(analyzerName: string, directory: string) {
  const analyzer = ANALYZERS.find((a) => a.name === analyzerName);
  if (!analyzer) throw new Error(`no analyzer named ${analyzerName}`);
  const loaded = await loadDirectory(directory);
  expect(loaded.conflicts).toEqual([]);
  // Every fixture is valid config, so the analyzer sees all of it; only the schema analyzer's input is not.
  if (!(analyzerName === 'schema.ValidationAnalyzer' && directory.endsWith('input'))) expect(loaded.errors).toEqual([]);
  return analyze({ objects: loaded.store.objects().values(), errors: loaded.errors, now: NOW }, [analyzer]);
}

const cases = readdirSync(GOLDEN, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();

describe('analysis goldens', () => {
  it('cover every analyzer', () => {
    expect(cases).toEqual(ANALYZERS.map((a) => a.name).sort());
  });

  describe.each(cases)('%s', (name) => {
    const dir = path.join(GOLDEN, name);

    it('reports what expected.txt says about input/', async () => {
      const messages = await run(name, path.join(dir, 'input'));
      expect(`${formatMessages(messages, 'log', { references: true })}\n`).toBe(readFileSync(path.join(dir, 'expected.txt'), 'utf8'));
      if (existsSync(path.join(dir, 'expected.json'))) {
        expect(`${formatMessages(messages, 'json', { references: true })}\n`).toBe(readFileSync(path.join(dir, 'expected.json'), 'utf8'));
      }
    });

    it('reports nothing about valid/', async () => {
      const messages = await run(name, path.join(dir, 'valid'));
      expect(formatMessages(messages, 'log', { references: true })).toBe('');
    });
  });
});

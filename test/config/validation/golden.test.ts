/**
 * Validation goldens: each test/golden/validate/<case>.in.yaml is loaded as
 * the directory source loads a file, and what was accepted and rejected
 * (with every message) must equal <case>.out.yaml. The .out.yaml files are
 * reviewed by hand against the Istio rule each .in.yaml names in its first
 * line (see test/golden/validate/README.md); nothing here writes them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfigText } from '../../../src/config/load-config-text.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../golden/validate');
const CASES = readdirSync(DIR)
  .filter((f) => f.endsWith('.in.yaml'))
  .map((f) => f.slice(0, -'.in.yaml'.length))
  .sort();

interface Verdict {
  accepted: string[];
  rejected: { object: string; source: string; errors: string[] }[];
}

/** What the loader made of a case, in the .out.yaml shape. */
export function verdictOf(file: string, text: string): Verdict {
  const loaded = loadConfigText(file, text);
  const rejected = new Map<string, { object: string; source: string; errors: string[] }>();
  for (const error of loaded.errors) {
    const object = error.kind ? `${error.kind} ${error.namespace ? `${error.namespace}/` : ''}${error.name ?? '?'}` : '(undecodable document)';
    const entry = rejected.get(error.source) ?? { object, source: error.source, errors: [] };
    entry.errors.push(error.path ? `${error.path}: ${error.message}` : error.message);
    rejected.set(error.source, entry);
  }
  return {
    accepted: loaded.objects.map((o) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`),
    rejected: [...rejected.values()],
  };
}

describe('validation goldens (test/golden/validate)', () => {
  it('has at least 45 cases, and for every kind tsiod validates one it accepts and one it rejects', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(45);
    const verdicts = CASES.map((c) => parse(readFileSync(path.join(DIR, `${c}.out.yaml`), 'utf8')) as Partial<Verdict>);
    const kindOf = (object: string): string => object.split(' ', 1)[0] ?? '';
    const accepted = new Set(verdicts.flatMap((v) => (v.accepted ?? []).map(kindOf)));
    const rejected = new Set(verdicts.flatMap((v) => (v.rejected ?? []).map((r) => kindOf(r.object))));
    for (const kind of ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'WorkloadEntry', 'PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication', 'Service', 'EndpointSlice', 'Pod']) {
      expect(accepted, `a valid ${kind}`).toContain(kind);
      expect(rejected, `an invalid ${kind}`).toContain(kind);
    }
  });

  for (const name of CASES) {
    it(name, () => {
      const actual = verdictOf(`${name}.in.yaml`, readFileSync(path.join(DIR, `${name}.in.yaml`), 'utf8'));
      if (process.env['TSIOD_SHOW_VALIDATION'] === '1') console.log(`--- ${name}\n${JSON.stringify(actual, null, 2)}`);
      const expected = parse(readFileSync(path.join(DIR, `${name}.out.yaml`), 'utf8')) as Verdict;
      expect(actual).toEqual({ accepted: expected.accepted ?? [], rejected: expected.rejected ?? [] });
    });
  }
});

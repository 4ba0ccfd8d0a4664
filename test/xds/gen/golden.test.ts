/**
 * Golden files: for each case under test/golden/gen, the resources every
 * generator emits for a sidecar and a proxyless client. Regenerate with
 * UPDATE_GOLDEN=1 and review the diff like code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generators } from '../../../src/xds/gen/index.js';
import { ListenerType, RouteType, shortTypeName } from '../../../src/xds/proto/type-urls.js';
import { generateFor } from './helpers/generate.js';
import { proxy } from './helpers/mesh-builder.js';
import { snapshotFromYaml } from './helpers/snapshot-from-yaml.js';

const GOLDEN_ROOT = path.join(import.meta.dirname, '../../golden/gen');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

interface CaseRequests {
  namespace: string;
  proxylessDialed: string[];
}

const cases = fs.readdirSync(GOLDEN_ROOT).filter((d) => fs.statSync(path.join(GOLDEN_ROOT, d)).isDirectory());

describe('golden xDS output', () => {
  it('has at least one case', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const name of cases) {
    const dir = path.join(GOLDEN_ROOT, name);
    const snap = snapshotFromYaml(path.join(dir, 'snapshot.yaml'));
    const requests = parse(fs.readFileSync(path.join(dir, 'requests.yaml'), 'utf8')) as CaseRequests;

    for (const kind of ['sidecar', 'proxyless'] as const) {
      for (const [typeUrl, generator] of generators) {
        const file = path.join(dir, `${kind}.${shortTypeName(typeUrl)}.yaml`);
        it(`${name}/${path.basename(file)}`, () => {
          const onDemand = kind === 'proxyless' && (typeUrl === ListenerType || typeUrl === RouteType);
          const resources = generateFor(generator, snap, proxy(kind, requests.namespace), onDemand ? requests.proxylessDialed : undefined);
          const actual = stringify(resources.map((r) => r.resource), { lineWidth: 0, aliasDuplicateObjects: false });
          if (UPDATE) fs.writeFileSync(file, actual);
          expect(fs.existsSync(file), `${file} missing: run with UPDATE_GOLDEN=1`).toBe(true);
          expect(actual).toBe(fs.readFileSync(file, 'utf8'));
        });
      }
    }
  }
});

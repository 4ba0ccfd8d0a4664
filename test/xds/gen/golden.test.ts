/**
 * Golden files: for each case test/golden/gen/<case>.in.yaml, the listeners,
 * routes, clusters and endpoints every proxy the case lists would get, in
 * <case>.<proxy>.<type>.yaml. Regenerate with UPDATE_GOLDEN=1 and review the
 * diff by reading it against Envoy's and Istio's documented behaviour.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generators } from '../../../src/xds/gen/index.js';
import { ClusterType, EndpointType, ListenerType, RouteType } from '../../../src/xds/proto/type-urls.js';
import { generateFor } from './helpers/generate.js';
import { goldenCaseNames, goldenOutputPath, loadGoldenCase, GOLDEN_GEN_ROOT } from './helpers/golden-case.js';

const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

/** Secrets hold key material and are covered by their own tests, not goldens. */
const GOLDEN_TYPES: ReadonlyMap<string, string> = new Map([
  [ListenerType, 'listeners'],
  [RouteType, 'routes'],
  [ClusterType, 'clusters'],
  [EndpointType, 'endpoints'],
]);

describe('golden xDS output', () => {
  const names = goldenCaseNames();
  it('has cases for a sidecar, a gateway and a proxyless client', () => {
    const types = new Set(names.flatMap((n) => loadGoldenCase(n).proxies.map((p) => p.node.type)));
    expect([...types].sort()).toEqual(['proxyless', 'router', 'sidecar']);
  });

  it('has no stale output files', () => {
    const expected = new Set<string>();
    for (const name of names) {
      for (const proxy of loadGoldenCase(name).proxies) {
        for (const typeName of GOLDEN_TYPES.values()) expected.add(path.basename(goldenOutputPath(name, proxy.label, typeName)));
      }
    }
    const outputs = fs.readdirSync(GOLDEN_GEN_ROOT).filter((f) => f.endsWith('.yaml') && !f.endsWith('.in.yaml'));
    const stale = outputs.filter((f) => !expected.has(f));
    if (UPDATE) for (const f of stale) fs.rmSync(path.join(GOLDEN_GEN_ROOT, f));
    else expect(stale).toEqual([]);
  });

  for (const name of names) {
    const golden = loadGoldenCase(name);
    for (const proxy of golden.proxies) {
      for (const [typeUrl, typeName] of GOLDEN_TYPES) {
        const generator = generators.get(typeUrl as typeof ListenerType);
        if (!generator) continue;
        const file = goldenOutputPath(name, proxy.label, typeName);
        it(`${name}: ${proxy.label} ${typeName}`, () => {
          const onDemand = proxy.dialed !== undefined && (typeUrl === ListenerType || typeUrl === RouteType);
          const resources = generateFor(generator, golden.snapshot, proxy.node, onDemand ? proxy.dialed : undefined);
          const actual = stringify(resources.map((r) => r.resource), { lineWidth: 0, aliasDuplicateObjects: false });
          if (UPDATE) fs.writeFileSync(file, actual);
          expect(fs.existsSync(file), `${file} missing: run with UPDATE_GOLDEN=1`).toBe(true);
          expect(actual).toBe(fs.readFileSync(file, 'utf8'));
        });
      }
    }
  }
});
